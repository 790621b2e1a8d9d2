namespace Cascade.Storage.OnlineStore;

/// <summary>Latest feature vector per entity, read by Serving on the request path.</summary>
/// <remarks>
/// Mirrors Feast's online store seam: batched writes from the feature service, batched reads by entity.
/// Implementations must make a written vector visible to readers as a whole (never half a vector).
/// </remarks>
public interface IOnlineStore
{
    /// <summary>Writes (upserts) the vectors of a feature view; later writes of an entity replace earlier ones.</summary>
    ValueTask WriteBatchAsync(string featureView, IReadOnlyList<FeatureVector> vectors, CancellationToken cancellationToken = default);

    /// <summary>Reads the vectors of the given entities; the result has one slot per entity id, null where none is stored.</summary>
    ValueTask<FeatureVector?[]> ReadBatchAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default);

    /// <summary>Reads one entity's vector, or null. The serving hot path: implementations should not allocate beyond the result.</summary>
    ValueTask<FeatureVector?> ReadAsync(string featureView, string entityId, CancellationToken cancellationToken = default);
}
