namespace Cascade.EventLog.Abstractions;

/// <summary>
/// An append-only log of topics split into partitions, with per-partition offsets and consumer groups that
/// commit their progress: Kafka's model, and nothing Kafka 0.9 cannot do (no headers, no transactions), so the
/// embedded implementation and the Kafka adapter are interchangeable.
/// </summary>
public interface IEventLog : IAsyncDisposable
{
    /// <summary>Creates a topic; creating an existing topic with the same partition count is a no-op.</summary>
    /// <exception cref="ArgumentException">Invalid name, or the topic exists with another partition count.</exception>
    Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends records in order; a missing topic is created with the default partition count. The append's place is
    /// fixed when it is called: appends called one after another keep that order in every partition, even when the
    /// second is called before the first completes. The embedded log writes a batch of up to
    /// <c>MaxRecordsPerTransaction</c> records atomically (all or none) and a larger one in several transactions,
    /// between which other callers' appends to other partitions may land. Kafka 0.9 has no transactions. With either,
    /// a failed append may have stored a prefix, and the caller's retry stores it again, so consumers deduplicate by
    /// event id where it matters.
    /// </summary>
    Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default);

    /// <summary>The next offset to be written in each partition: the topic's high-water marks (a dataset watermark).</summary>
    Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>Joins a consumer group; partitions of the subscribed topics are shared among the group's members.</summary>
    IEventConsumer Subscribe(ConsumerOptions options);
}

/// <summary>A member of a consumer group.</summary>
public interface IEventConsumer : IAsyncDisposable
{
    /// <summary>The partitions this member reads now (changes when members join or leave).</summary>
    IReadOnlyCollection<TopicPartition> Assignment { get; }

    /// <summary>Reads the next records of the assigned partitions, waiting up to <paramref name="maxWait"/> for some to arrive; empty on timeout.</summary>
    ValueTask<IReadOnlyList<ConsumedRecord>> ConsumeAsync(TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>Commits processed records: per partition, the offset after the highest one.</summary>
    ValueTask CommitAsync(IReadOnlyList<ConsumedRecord> processed, CancellationToken cancellationToken = default);

    /// <summary>
    /// Per assigned partition, the records on the log this member has not read yet (end offset − position), as far
    /// as it knows without asking the broker; partitions whose position or end is not known yet are left out.
    /// Safe to call from any thread.
    /// </summary>
    IReadOnlyDictionary<TopicPartition, long> Lag();
}

/// <summary>Where a group starts reading a partition it has never committed.</summary>
public enum StartPosition
{
    Earliest,
    Latest,
}

/// <summary>Subscription settings.</summary>
/// <param name="GroupId">The consumer group: members share partitions; each group sees every record.</param>
/// <param name="Topics">Topics to read (created if missing).</param>
/// <param name="MaxBatchSize">Most records one <see cref="IEventConsumer.ConsumeAsync"/> returns.</param>
/// <param name="StartPosition">Start of a partition the group has never committed.</param>
public sealed record ConsumerOptions(string GroupId, IReadOnlyList<string> Topics, int MaxBatchSize = 500, StartPosition StartPosition = StartPosition.Earliest);
