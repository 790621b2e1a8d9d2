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
/// </remarks>
public sealed class PendingPredictions(int capacity, TimeSpan expiry)
{
    private readonly Dictionary<string, PendingPrediction> byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PendingPrediction>> byEntity = new(StringComparer.Ordinal);
    private Queue<PendingPrediction> arrivals = new();

    /// <summary>Predictions waiting now.</summary>
    public int Count => byId.Count;

    /// <summary>Predictions dropped unlabelled (expired or pushed out by capacity).</summary>
    public long Dropped { get; private set; }

    /// <summary>Adds a prediction; false when one with the same id is already waiting (a redelivery).</summary>
    public bool Add(PendingPrediction prediction)
    {
        if (!byId.TryAdd(prediction.PredictionId, prediction)) return false;
        arrivals.Enqueue(prediction);
        if (prediction.EntityId is { Length: > 0 } entity)
        {
            if (!byEntity.TryGetValue(entity, out var list)) byEntity[entity] = list = [];
            // Keep time order; out-of-order arrivals are rare, so search from the end.
            var at = list.Count;
            while (at > 0 && list[at - 1].Time > prediction.Time) at--;
            list.Insert(at, prediction);
        }
        while (byId.Count > capacity) DropOldest();
        if (arrivals.Count > 2 * Math.Max(byId.Count, 1024)) Compact();
        return true;
    }

    /// <summary>Removes and returns the waiting prediction with this id.</summary>
    public PendingPrediction? TakeById(string predictionId)
    {
        if (!byId.Remove(predictionId, out var prediction)) return null;
        RemoveFromEntity(prediction);
        return prediction;
    }

    /// <summary>Removes and returns the latest waiting prediction for <paramref name="entityId"/> made at or before <paramref name="labelTime"/>.</summary>
    public PendingPrediction? TakeByEntity(string entityId, DateTimeOffset labelTime)
    {
        if (!byEntity.TryGetValue(entityId, out var list)) return null;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Time > labelTime) continue;
            var prediction = list[i];
            list.RemoveAt(i);
            if (list.Count == 0) byEntity.Remove(entityId);
            byId.Remove(prediction.PredictionId);
            return prediction;
        }
        return null;
    }

    /// <summary>Drops predictions older than the expiry at event time <paramref name="now"/>.</summary>
    public void Expire(DateTimeOffset now)
    {
        while (arrivals.TryPeek(out var oldest))
        {
            if (!IsLive(oldest)) { arrivals.Dequeue(); continue; }
            if (now - oldest.Time < expiry) break;
            DropOldest();
        }
    }

    /// <summary>The waiting predictions in arrival order, for checkpoints.</summary>
    public IReadOnlyList<PendingPrediction> Export() => arrivals.Where(IsLive).ToArray();

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
    }

    private void DropOldest()
    {
        while (arrivals.TryDequeue(out var oldest))
        {
            if (!IsLive(oldest)) continue;
            byId.Remove(oldest.PredictionId);
            RemoveFromEntity(oldest);
            Dropped++;
            return;
        }
    }

    // A queue entry is live while the map still holds that very prediction (not a joined one, nor a later one reusing its id).
    private bool IsLive(PendingPrediction prediction) =>
        byId.TryGetValue(prediction.PredictionId, out var current) && ReferenceEquals(current, prediction);

    private void RemoveFromEntity(PendingPrediction prediction)
    {
        if (prediction.EntityId is not { Length: > 0 } entity || !byEntity.TryGetValue(entity, out var list)) return;
        var index = list.FindIndex(p => ReferenceEquals(p, prediction));
        if (index >= 0) list.RemoveAt(index);
        if (list.Count == 0) byEntity.Remove(entity);
    }

    private void Compact() => arrivals = new Queue<PendingPrediction>(arrivals.Where(IsLive));
}
