namespace Cascade.Storage.OfflineStore;

/// <summary>Historical feature rows for building training sets, read up to a watermark.</summary>
public interface IOfflineStore
{
    /// <summary>
    /// Appends rows; a row whose source (partition, offset) is already stored is ignored, so a batch redelivered after a
    /// crash adds nothing. Returns the number of <em>labeled</em> rows actually added (what the labeled-rows count grows by).
    /// </summary>
    Task<int> AppendAsync(string featureView, int viewVersion, IReadOnlyList<OfflineFeatureRow> rows, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the rows of a feature view version whose source offset lies below the watermark
    /// (<paramref name="watermark"/>: partition → first offset not included), ordered by (partition, offset),
    /// so the same watermark always yields the same training set.
    /// </summary>
    Task<IReadOnlyList<OfflineFeatureRow>> ReadAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, CancellationToken cancellationToken = default);

    /// <summary>
    /// Like <see cref="ReadAsync"/>, but only the <paramref name="limit"/> rows latest by (event time, partition,
    /// offset), all of them when there are fewer; returned in (partition, offset) order like <see cref="ReadAsync"/>.
    /// A training set capped at N rows reads N + 1 here (more than N means "cap it"), so its memory does not grow
    /// with the offline store. This default reads every row and drops the older ones: a store should override it
    /// with a query that never materializes them.
    /// </summary>
    async Task<IReadOnlyList<OfflineFeatureRow>> ReadLatestAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var rows = await ReadAsync(featureView, viewVersion, watermark, labeledOnly, cancellationToken);
        return rows.Count <= limit ? rows : OfflineRowOrder.Latest(rows, limit);
    }

    /// <summary>
    /// Counts the labeled rows a feature view version has taken, less those erased: rows that retention deleted
    /// (<see cref="IOfflineRetentionStore"/>) still count, so the total grows with new data alone and training triggers,
    /// which compare it with its value at their last job, are not silenced by a retention pass.
    /// </summary>
    Task<long> CountLabeledAsync(string featureView, int viewVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes every row of one entity in every version of a view (an erasure); returns how many there were. Nothing
    /// keeps the store from taking the rows again: the feature service skips an erased entity's records before writing.
    /// </summary>
    Task<int> DeleteEntityAsync(string featureView, string entityId, CancellationToken cancellationToken = default);
}

/// <summary>The orders <see cref="IOfflineStore.ReadLatestAsync"/> works with.</summary>
public static class OfflineRowOrder
{
    /// <summary>The <paramref name="limit"/> rows latest by (event time, partition, offset), in (partition, offset) order.</summary>
    public static OfflineFeatureRow[] Latest(IEnumerable<OfflineFeatureRow> rows, int limit) =>
        [.. rows.OrderByDescending(r => r.EventTime).ThenByDescending(r => r.Partition).ThenByDescending(r => r.Offset)
            .Take(limit).OrderBy(r => r.Partition).ThenBy(r => r.Offset)];
}
