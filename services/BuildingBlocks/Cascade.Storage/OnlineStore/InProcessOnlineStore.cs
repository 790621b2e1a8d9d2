using System.Collections.Concurrent;

namespace Cascade.Storage.OnlineStore;

/// <summary>The all-in-one online store: one concurrent dictionary per feature view, in this process's memory.</summary>
/// <remarks>
/// Vectors are immutable records, so a reader sees either the old or the new vector of an entity, never a mix.
/// Nothing is persisted: after a restart the feature service rebuilds the store from its own durable state.
/// </remarks>
public sealed class InProcessOnlineStore : IOnlineStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, FeatureVector>> _views = new(StringComparer.Ordinal);

    public ValueTask WriteBatchAsync(string featureView, IReadOnlyList<FeatureVector> vectors, CancellationToken cancellationToken = default)
    {
        var view = _views.GetOrAdd(featureView, static _ => new ConcurrentDictionary<string, FeatureVector>(StringComparer.Ordinal));
        for (var i = 0; i < vectors.Count; i++)
        {
            view[vectors[i].EntityId] = vectors[i];
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<FeatureVector?[]> ReadBatchAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default)
    {
        var result = new FeatureVector?[entityIds.Count];
        if (_views.TryGetValue(featureView, out var view))
        {
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = view.TryGetValue(entityIds[i], out var vector) ? vector : null;
            }
        }
        return ValueTask.FromResult(result);
    }

    public ValueTask<int> DeleteAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        if (_views.TryGetValue(featureView, out var view))
        {
            foreach (var entityId in entityIds)
            {
                if (view.TryRemove(entityId, out _)) deleted++;
            }
        }
        return ValueTask.FromResult(deleted);
    }

    public ValueTask<FeatureVector?> ReadAsync(string featureView, string entityId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_views.TryGetValue(featureView, out var view) && view.TryGetValue(entityId, out var vector) ? vector : null);
}
