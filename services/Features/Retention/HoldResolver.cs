using Cascade.Features.Erasure;
using Cascade.Storage.OfflineStore;

namespace Cascade.Features.Retention;

/// <summary>
/// Turns training windows into the store's holds: where each capped window starts (its oldest event time) is read from
/// the store, the same top-N the training read made, over event times only. Remembered between passes, since no
/// later row can enter a window below its watermark and retention never deletes inside one; an erasure can remove
/// rows from a window, so after any erasure every start is read again (it can only move older: a superset of what
/// is left of the window).
/// </summary>
public sealed class HoldResolver(IOfflineRetentionStore store, EntityErasures erasures)
{
    private readonly Dictionary<string, DateTimeOffset?> _starts = new(StringComparer.Ordinal);
    private long _generation = -1;

    /// <summary>The holds of each feature view version (name, version) that any window reads.</summary>
    /// <remarks>Not thread-safe: one pass at a time calls it.</remarks>
    public async Task<IReadOnlyDictionary<(string View, int Version), IReadOnlyList<OfflineHold>>> ResolveAsync(IReadOnlyList<TrainingWindow> windows, CancellationToken cancellationToken)
    {
        var generation = erasures.Generation;
        if (generation != _generation)
        {
            _starts.Clear();
            _generation = generation;
        }
        var holds = new Dictionary<(string, int), List<OfflineHold>>();
        foreach (var window in windows)
        {
            DateTimeOffset? since = null;
            if (window.Size > 0 && !_starts.TryGetValue(window.Key, out since))
            {
                since = await store.WindowStartAsync(window.FeatureView, window.ViewVersion, window.Watermark, labeledOnly: true, window.Size, cancellationToken);
                _starts[window.Key] = since;
            }
            var key = (window.FeatureView, window.ViewVersion);
            if (!holds.TryGetValue(key, out var list)) holds[key] = list = [];
            list.Add(new OfflineHold(window.Watermark, since));
        }
        // Windows no kept version reads any more are forgotten.
        var current = windows.Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in _starts.Keys.Where(k => !current.Contains(k)).ToArray()) _starts.Remove(stale);
        return holds.ToDictionary(h => h.Key, h => (IReadOnlyList<OfflineHold>)h.Value);
    }
}
