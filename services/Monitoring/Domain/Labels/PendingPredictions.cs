namespace Cascade.Monitoring.Domain.Labels;

/// <summary>
/// Predictions waiting for late labels, bounded in count and in age. A label joins by prediction id, or else by entity:
/// the latest pending prediction for that entity made at or before the label's time (the prediction that was acting
/// when the outcome was observed). Each prediction joins at most once.
/// </summary>
/// <remarks>
/// Eviction is first in, first out: predictions arrive in roughly increasing time, so the oldest by arrival is the
/// oldest by age. Joined predictions leave the arrival queue lazily (their queue entry is skipped when it reaches the
/// front), and the queue is compacted when stale entries outnumber live ones, so all operations stay amortised O(1)
/// apart from the per-entity list, which holds that entity's few pending predictions in time order.
/// Checkpoints are incremental (<see cref="TakeChanges"/>): the set remembers what arrived and what left since the
/// last one, up to as many changes as predictions are waiting; beyond that a full rewrite is the smaller write, so it
/// stops remembering and asks for one. Either way the memory this takes is bounded by the capacity. The store keeps
/// what left as notes until the next replacing checkpoint, so once as many have left as wait, the next one replaces.
/// </remarks>
public sealed class PendingPredictions(int capacity, TimeSpan expiry)
{
    private readonly Dictionary<string, Entry> byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Entry>> byEntity = new(StringComparer.Ordinal);
    private Queue<Entry> arrivals = new();
    private long nextSequence;

    // Since the last checkpoint: whether it must be rewritten whole, else what arrived and which checkpointed entries left.
    private bool replace = true;
    private long checkpointedBelow; // entries with a lower sequence are in the last checkpoint
    private long leftSinceReplace; // stored entries that left since the last replacing checkpoint
    private readonly List<Entry> added = [];
    private readonly List<long> removed = [];

    /// <summary>Predictions waiting now.</summary>
    public int Count => byId.Count;

    /// <summary>Predictions dropped unlabelled (expired or pushed out by capacity).</summary>
    public long Dropped { get; private set; }

    /// <summary>Adds a prediction; false when one with the same id is already waiting (a redelivery).</summary>
    public bool Add(PendingPrediction prediction)
    {
        var entry = new Entry(prediction, nextSequence);
        if (!byId.TryAdd(prediction.PredictionId, entry)) return false;
        nextSequence++;
        arrivals.Enqueue(entry);
        if (prediction.EntityId is { Length: > 0 } entity)
        {
            if (!byEntity.TryGetValue(entity, out var list)) byEntity[entity] = list = [];
            // Keep time order; out-of-order arrivals are rare, so search from the end.
            var at = list.Count;
            while (at > 0 && list[at - 1].Prediction.Time > prediction.Time) at--;
            list.Insert(at, entry);
        }
        if (!replace)
        {
            added.Add(entry);
            LimitChanges();
        }
        while (byId.Count > capacity) DropOldest();
        if (arrivals.Count > 2 * Math.Max(byId.Count, 1024)) Compact();
        return true;
    }

    /// <summary>Removes and returns the waiting prediction with this id.</summary>
    public PendingPrediction? TakeById(string predictionId)
    {
        if (!byId.Remove(predictionId, out var entry)) return null;
        RemoveFromEntity(entry);
        Left(entry);
        return entry.Prediction;
    }

    /// <summary>Removes and returns the latest waiting prediction for <paramref name="entityId"/> made at or before <paramref name="labelTime"/>.</summary>
    public PendingPrediction? TakeByEntity(string entityId, DateTimeOffset labelTime)
    {
        if (!byEntity.TryGetValue(entityId, out var list)) return null;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Prediction.Time > labelTime) continue;
            var entry = list[i];
            list.RemoveAt(i);
            if (list.Count == 0) byEntity.Remove(entityId);
            byId.Remove(entry.Prediction.PredictionId);
            Left(entry);
            return entry.Prediction;
        }
        return null;
    }

    /// <summary>Drops predictions older than the expiry at event time <paramref name="now"/>.</summary>
    public void Expire(DateTimeOffset now)
    {
        while (arrivals.TryPeek(out var oldest))
        {
            if (!IsLive(oldest)) { arrivals.Dequeue(); continue; }
            if (now - oldest.Prediction.Time < expiry) break;
            DropOldest();
        }
    }

    /// <summary>The waiting predictions in arrival order.</summary>
    public IReadOnlyList<PendingPrediction> Export() => arrivals.Where(IsLive).Select(e => e.Prediction).ToArray();

    /// <summary>
    /// What changed since the last call, for an incremental checkpoint; the next call reports changes from here on.
    /// The first call (and the first after <see cref="Import"/> or <see cref="Clear"/>) replaces the whole set.
    /// </summary>
    public PendingChanges TakeChanges()
    {
        // What left is stored as a note beside what it leaves until a replacing checkpoint: past as many notes as
        // predictions waiting, replace now, so the store holds about twice what waits at most.
        leftSinceReplace += removed.Count;
        if (!replace && leftSinceReplace > Math.Max(byId.Count, 1024)) ReplaceOnNextChanges();
        if (replace) leftSinceReplace = 0;
        var changes = replace
            ? new PendingChanges(true, arrivals.Where(IsLive).Select(e => (e.Sequence, e.Prediction)).ToArray(), [])
            : new PendingChanges(false, added.Where(IsLive).Select(e => (e.Sequence, e.Prediction)).ToArray(), removed.ToArray());
        replace = false;
        checkpointedBelow = nextSequence;
        added.Clear();
        removed.Clear();
        return changes;
    }

    /// <summary>
    /// The changes last taken were not stored (the checkpoint failed): the next <see cref="TakeChanges"/> replaces the
    /// whole set, since what is stored is no longer known.
    /// </summary>
    public void ReplaceOnNextChanges()
    {
        replace = true;
        added.Clear();
        removed.Clear();
    }

    /// <summary>Replaces the content with a checkpoint's (predictions in arrival order).</summary>
    public void Import(IEnumerable<PendingPrediction> predictions, long dropped)
    {
        Clear();
        foreach (var prediction in predictions) Add(prediction);
        Dropped = dropped;
    }

    /// <summary>Empties the map.</summary>
    public void Clear()
    {
        byId.Clear();
        byEntity.Clear();
        arrivals.Clear();
        ReplaceOnNextChanges();
    }

    private void DropOldest()
    {
        while (arrivals.TryDequeue(out var oldest))
        {
            if (!IsLive(oldest)) continue;
            byId.Remove(oldest.Prediction.PredictionId);
            RemoveFromEntity(oldest);
            Left(oldest);
            Dropped++;
            return;
        }
    }

    /// <summary>Notes that <paramref name="entry"/> left: its stored row goes at the next checkpoint if it had one.</summary>
    private void Left(Entry entry)
    {
        if (replace || entry.Sequence >= checkpointedBelow) return; // not stored yet: it simply won't be
        removed.Add(entry.Sequence);
        LimitChanges();
    }

    /// <summary>Past as many changes as predictions waiting, rewriting the set is the smaller write (and memory stays bounded).</summary>
    private void LimitChanges()
    {
        if (added.Count + removed.Count > Math.Max(byId.Count, 1024)) ReplaceOnNextChanges();
    }

    // A queue entry is live while the map still holds that very entry (not a joined one, nor a later one reusing its id).
    private bool IsLive(Entry entry) =>
        byId.TryGetValue(entry.Prediction.PredictionId, out var current) && ReferenceEquals(current, entry);

    private void RemoveFromEntity(Entry entry)
    {
        if (entry.Prediction.EntityId is not { Length: > 0 } entity || !byEntity.TryGetValue(entity, out var list)) return;
        var index = list.FindIndex(e => ReferenceEquals(e, entry));
        if (index >= 0) list.RemoveAt(index);
        if (list.Count == 0) byEntity.Remove(entity);
    }

    private void Compact() => arrivals = new Queue<Entry>(arrivals.Where(IsLive));

    /// <summary>A waiting prediction and its arrival sequence number (the key of its stored row).</summary>
    private sealed class Entry(PendingPrediction prediction, long sequence)
    {
        public PendingPrediction Prediction { get; } = prediction;
        public long Sequence { get; } = sequence;
    }
}
