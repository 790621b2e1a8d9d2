using System.Collections.Concurrent;

namespace Cascade.Storage.OnlineStore;

/// <summary>The all-in-one online store: one concurrent dictionary per feature view, in this process's memory.</summary>
/// <remarks>
/// Vectors are immutable records, so a reader sees either the old or the new vector of an entity, never a mix.
/// Nothing is persisted: after a restart the feature service rebuilds the store from its own durable state.
/// A vector written with a time to live keeps its expiry beside it: a read treats it as absent once that has passed
/// and removes it; writes sweep the view's other expired vectors now and then, so entities nobody reads again do not
/// hold memory for ever.
/// </remarks>
public sealed class InProcessOnlineStore : IOnlineStore
{
    /// <summary>How often writes look through a view for expired vectors: each sweep reads every entity of the view.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private const long Never = long.MaxValue;

    private readonly ConcurrentDictionary<string, ViewVectors> _views = new(StringComparer.Ordinal);

    public ValueTask WriteBatchAsync(string featureView, IReadOnlyList<FeatureVector> vectors, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        VectorExpiry.Check(timeToLive);
        var view = _views.GetOrAdd(featureView, static _ => new ViewVectors());
        var now = DateTime.UtcNow.Ticks;
        for (var i = 0; i < vectors.Count; i++)
        {
            var vector = vectors[i];
            var expiresAt = timeToLive is { } ttl ? VectorExpiry.ExpiresAtTicks(vector, ttl) : Never;
            if (expiresAt <= now)
            {
                // Expired already (a rebuild of an entity idle longer than the ttl): dropped, not brought back.
                view.Entries.TryRemove(vector.EntityId, out _);
                continue;
            }
            view.Entries[vector.EntityId] = new Entry(vector, expiresAt);
        }
        // Views without a ttl have nothing to sweep: no pass over their entities every minute.
        if (timeToLive is not null) view.SweepIfDue(now);
        return ValueTask.CompletedTask;
    }

    public ValueTask<FeatureVector?[]> ReadBatchAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default)
    {
        var result = new FeatureVector?[entityIds.Count];
        if (_views.TryGetValue(featureView, out var view))
        {
            var now = DateTime.UtcNow.Ticks;
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = view.Live(entityIds[i], now);
            }
        }
        return ValueTask.FromResult(result);
    }

    public ValueTask<int> DeleteAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        if (_views.TryGetValue(featureView, out var view))
        {
            var now = DateTime.UtcNow.Ticks;
            foreach (var entityId in entityIds)
            {
                // An expired vector is gone as far as readers know: erasing it counts nothing, as Redis would.
                if (view.Entries.TryRemove(entityId, out var removed) && removed.ExpiresAt > now) deleted++;
            }
        }
        return ValueTask.FromResult(deleted);
    }

    public ValueTask<FeatureVector?> ReadAsync(string featureView, string entityId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_views.TryGetValue(featureView, out var view) ? view.Live(entityId, DateTime.UtcNow.Ticks) : null);

    /// <summary>A stored vector and the UTC ticks at which it expires (<see cref="Never"/> without a time to live).</summary>
    private readonly record struct Entry(FeatureVector Vector, long ExpiresAt);

    private sealed class ViewVectors
    {
        private long _nextSweep = DateTime.UtcNow.Ticks + SweepInterval.Ticks;

        public ConcurrentDictionary<string, Entry> Entries { get; } = new(StringComparer.Ordinal);

        /// <summary>The entity's vector unless it has expired; an expired one is removed (no allocation either way: the serving path).</summary>
        public FeatureVector? Live(string entityId, long now)
        {
            if (!Entries.TryGetValue(entityId, out var entry)) return null;
            if (entry.ExpiresAt > now) return entry.Vector;
            // Only this entry: a newer vector written since the lookup stays.
            Entries.TryRemove(new KeyValuePair<string, Entry>(entityId, entry));
            return null;
        }

        public void SweepIfDue(long now)
        {
            var due = Interlocked.Read(ref _nextSweep);
            // One writer sweeps; the others go on.
            if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + SweepInterval.Ticks, due) != due) return;
            foreach (var (entityId, entry) in Entries)
            {
                if (entry.ExpiresAt <= now) Entries.TryRemove(new KeyValuePair<string, Entry>(entityId, entry));
            }
        }
    }
}
