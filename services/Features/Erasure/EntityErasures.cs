using System.Collections.Concurrent;
using Cascade.Features.Storage;

namespace Cascade.Features.Erasure;

/// <summary>
/// The erased entities (a suppression list, kept durably in the feature state store) and the gate of each view that
/// erasure and materialization share. Materializers ask <see cref="Skips"/> for every record, so an erased entity's
/// records never come back: not on redelivery after a crash, not when a new view version replays the data topic, not
/// in a <c>top_k</c> vocabulary scan.
/// </summary>
/// <remarks>
/// Reads are lock-free on an immutable snapshot (one lookup per record; none when the dataset has no erasures); an
/// erasure replaces the snapshot. Each erasure gets a generation number, so a materializer drops the in-memory state
/// of the entities erased since it last looked (<see cref="ErasedSince"/>) before it writes anything.
/// </remarks>
public sealed class EntityErasures
{
    private readonly FeatureStateStore _store;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly Lock _write = new();
    private Dictionary<string, Dictionary<string, (EntityErasure Erasure, long Generation)>> _snapshot;
    private long _generation;

    /// <summary>Loads the erasures recorded in <paramref name="store"/>.</summary>
    public EntityErasures(FeatureStateStore store)
    {
        _store = store;
        _snapshot = store.Erasures()
            .GroupBy(e => e.Dataset, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToDictionary(e => e.EntityId, e => (e, 0L), StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>Grows with every erasure.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>
    /// The gate of a view (by name, every version): held by its materializer while it processes a batch or rebuilds the
    /// online store, and by an erasure while it deletes, so neither writes what the other is removing.
    /// </summary>
    public SemaphoreSlim Gate(string featureView) => _gates.GetOrAdd(featureView, static _ => new SemaphoreSlim(1, 1));

    /// <summary>Whether the record of <paramref name="entityId"/> at that position was erased.</summary>
    public bool Skips(string dataset, string entityId, int partition, long offset) =>
        Volatile.Read(ref _snapshot).TryGetValue(dataset, out var entities)
        && entities.TryGetValue(entityId, out var erased)
        && erased.Erasure.Covers(partition, offset);

    /// <summary>The entities of <paramref name="dataset"/> erased after <paramref name="generation"/>.</summary>
    public IReadOnlyList<string> ErasedSince(string dataset, long generation) =>
        Volatile.Read(ref _snapshot).TryGetValue(dataset, out var entities)
            ? entities.Where(e => e.Value.Generation > generation).Select(e => e.Key).ToArray()
            : [];

    /// <summary>The erasure of an entity, if it was ever erased.</summary>
    public EntityErasure? Find(string dataset, string entityId) =>
        Volatile.Read(ref _snapshot).TryGetValue(dataset, out var entities) && entities.TryGetValue(entityId, out var erased) ? erased.Erasure : null;

    /// <summary>
    /// Records, durably and then in memory, that the entity's records below <paramref name="through"/> are erased
    /// (extending an earlier erasure of it); returns the erasure as recorded.
    /// </summary>
    public EntityErasure Record(string dataset, string entityId, IReadOnlyDictionary<int, long> through, DateTimeOffset erasedAt)
    {
        lock (_write)
        {
            var erasure = Find(dataset, entityId)?.Then(through, erasedAt) ?? new EntityErasure(dataset, entityId, new Dictionary<int, long>(through), erasedAt);
            _store.SaveErasure(erasure);
            var generation = Interlocked.Increment(ref _generation);
            var snapshot = new Dictionary<string, Dictionary<string, (EntityErasure, long)>>(_snapshot, StringComparer.Ordinal);
            var entities = snapshot.TryGetValue(dataset, out var known)
                ? new Dictionary<string, (EntityErasure, long)>(known, StringComparer.Ordinal)
                : new Dictionary<string, (EntityErasure, long)>(StringComparer.Ordinal);
            entities[entityId] = (erasure, generation);
            snapshot[dataset] = entities;
            Volatile.Write(ref _snapshot, snapshot);
            return erasure;
        }
    }
}
