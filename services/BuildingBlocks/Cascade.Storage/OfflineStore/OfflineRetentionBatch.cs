namespace Cascade.Storage.OfflineStore;

/// <summary>A row's identity in a feature view version: its source record's (partition, offset).</summary>
public readonly record struct OfflineRowKey(int Partition, long Offset);

/// <summary>What one retention batch did.</summary>
/// <param name="Deleted">Rows deleted.</param>
/// <param name="DeletedLabeled">Of those, rows that carried a label (they still count in <see cref="IOfflineStore.CountLabeledAsync"/>).</param>
/// <param name="Next">Where the next batch starts (after this key); null when the batch reached the last row.</param>
public sealed record OfflineRetentionBatch(int Deleted, int DeletedLabeled, OfflineRowKey? Next);
