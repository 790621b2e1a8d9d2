namespace Cascade.Storage.OfflineStore;

/// <summary>
/// Retention of an offline store: rows past a cutoff deleted in short, bounded transactions, never the rows a rule
/// holds. Apart from <see cref="IOfflineStore"/> so that the readers of training sets (workers, reproduction) are
/// given no way to delete; both stores implement it.
/// </summary>
public interface IOfflineRetentionStore
{
    /// <summary>
    /// The event time of the oldest of the <paramref name="size"/> rows latest by (event time, partition, offset) of a
    /// feature view version below <paramref name="watermark"/> (null: every row): where the window that
    /// <see cref="IOfflineStore.ReadLatestAsync"/> with that limit returns starts. Null when there are at most
    /// <paramref name="size"/> rows (the window is all of them). Reads event times only, never feature values.
    /// </summary>
    Task<DateTimeOffset?> WindowStartAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long>? watermark, bool labeledOnly, int size, CancellationToken cancellationToken = default);

    /// <summary>
    /// One batch of a retention pass: examines the next <paramref name="batchSize"/> rows of a feature view version in
    /// (partition, offset) order after <paramref name="after"/> (null: from the first) and deletes, in one transaction,
    /// those <paramref name="rule"/> lets go (<see cref="OfflineRetentionRule.Deletes"/>). A batch's cost is bounded by
    /// its size, not by the store's, so writers wait at most one batch. Labeled rows it deletes keep counting in
    /// <see cref="IOfflineStore.CountLabeledAsync"/>, recorded in the same transaction.
    /// </summary>
    Task<OfflineRetentionBatch> DeleteExpiredAsync(string featureView, int viewVersion, OfflineRetentionRule rule, OfflineRowKey? after, int batchSize, CancellationToken cancellationToken = default);
}
