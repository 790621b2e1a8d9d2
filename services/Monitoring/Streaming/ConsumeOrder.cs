using Cascade.Contracts.Events;
using Cascade.EventLog.Abstractions;

namespace Cascade.Monitoring.Streaming;

/// <summary>
/// The order Monitoring handles a consumed batch in: promotions and rollbacks first (a prediction of a new version is
/// logged only after its promotion, but may be read first), then by append time and offset, ties in the order consumed.
/// </summary>
/// <remarks>
/// A batch of predictions from one partition is nearly always in that order already: checking costs one pass and
/// allocates nothing, where sorting every batch cost a sort and its buffers per prediction.
/// </remarks>
internal static class ConsumeOrder
{
    /// <summary><paramref name="batch"/> itself when already in order, else a sorted copy (stable).</summary>
    public static IReadOnlyList<ConsumedRecord> Of(IReadOnlyList<ConsumedRecord> batch)
    {
        for (var i = 1; i < batch.Count; i++)
        {
            if (Compare(batch[i - 1], batch[i]) > 0) return Sorted(batch);
        }
        return batch;
    }

    private static ConsumedRecord[] Sorted(IReadOnlyList<ConsumedRecord> batch)
    {
        // Array.Sort is not stable: the position in the batch breaks ties, as LINQ's stable OrderBy did.
        var positions = new int[batch.Count];
        for (var i = 0; i < positions.Length; i++) positions[i] = i;
        Array.Sort(positions, (a, b) => Compare(batch[a], batch[b]) is var order && order != 0 ? order : a.CompareTo(b));
        return Array.ConvertAll(positions, i => batch[i]);
    }

    private static int Compare(ConsumedRecord a, ConsumedRecord b)
    {
        var order = Rank(a).CompareTo(Rank(b));
        if (order != 0) return order;
        order = a.AppendedAt.CompareTo(b.AppendedAt);
        return order != 0 ? order : a.Offset.CompareTo(b.Offset);
    }

    private static int Rank(ConsumedRecord record) => record.Topic is Topics.ModelsPromoted or Topics.ModelsRolledBack ? 0 : 1;
}
