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

    /// <summary>Counts the labeled rows of a feature view version (training triggers use it).</summary>
    Task<long> CountLabeledAsync(string featureView, int viewVersion, CancellationToken cancellationToken = default);
}
