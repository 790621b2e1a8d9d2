namespace Cascade.Storage.OnlineStore;

/// <summary>Latest feature vector per entity, read by Serving on the request path.</summary>
/// <remarks>
/// Mirrors Feast's online store seam: batched writes from the feature service, batched reads by entity.
/// Implementations must make a written vector visible to readers as a whole (never half a vector).
/// </remarks>
public interface IOnlineStore
{
    /// <summary>Writes (upserts) the vectors of a feature view; later writes of an entity replace earlier ones.</summary>
    /// <param name="timeToLive">
    /// The view's <c>ttl</c>: each vector expires that long after its <see cref="FeatureVector.UpdatedAt"/> (not its
    /// event time), is no longer read back and is dropped from the store; a later write of the entity starts it again.
    /// Counting from <see cref="FeatureVector.UpdatedAt"/> rather than from the call lets a rebuild write vectors with
    /// the time they were first written, so it never lengthens their lives; one that has expired already is dropped.
    /// Null: the store's own setting (none for <see cref="InProcessOnlineStore"/>, the configured TTL for Redis).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeToLive"/> is zero or negative.</exception>
    ValueTask WriteBatchAsync(string featureView, IReadOnlyList<FeatureVector> vectors, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the vectors of the given entities; the result has one slot per entity id, null where none is stored.</summary>
    ValueTask<FeatureVector?[]> ReadBatchAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default);

    /// <summary>Reads one entity's vector, or null. The serving hot path: implementations should not allocate beyond the result.</summary>
    /// <exception cref="OnlineStoreUnavailableException">The store cannot be reached now (thrown at once, not after a timeout).</exception>
    ValueTask<FeatureVector?> ReadAsync(string featureView, string entityId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the vectors of the given entities (an erasure); returns how many the store held. An entity without a
    /// vector is skipped, so erasing twice deletes nothing the second time.
    /// </summary>
    ValueTask<int> DeleteAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether the store still holds everything written for the view since <see cref="MarkIntactAsync"/>: false when a
    /// server restart lost its data (Redis without persistence), so the feature service must write every vector again.
    /// A store that lives and dies with the process that writes it is always intact.
    /// </summary>
    ValueTask<bool> IsIntactAsync(string featureView, CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

    /// <summary>Records that every vector of the view has been written (after a full rebuild).</summary>
    ValueTask MarkIntactAsync(string featureView, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
