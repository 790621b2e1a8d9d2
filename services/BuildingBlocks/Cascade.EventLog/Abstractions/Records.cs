namespace Cascade.EventLog.Abstractions;

/// <summary>A record to append: a key (decides the partition; null spreads round-robin) and opaque bytes.</summary>
public readonly record struct OutgoingRecord(string? Key, ReadOnlyMemory<byte> Value);

/// <summary>Where an appended record landed.</summary>
public readonly record struct RecordPosition(string Topic, int Partition, long Offset);

/// <summary>A partition of a topic.</summary>
public readonly record struct TopicPartition(string Topic, int Partition);

/// <summary>A position in a partition: for commits, the next offset to read.</summary>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset);

/// <summary>A record read by a consumer.</summary>
public sealed record ConsumedRecord(string Topic, int Partition, long Offset, string? Key, ReadOnlyMemory<byte> Value, DateTimeOffset AppendedAt);
