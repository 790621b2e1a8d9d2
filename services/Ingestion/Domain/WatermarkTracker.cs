using System.Collections.Concurrent;
using Cascade.EventLog.Abstractions;

namespace Cascade.Ingestion.Domain;

/// <summary>
/// The end offsets Ingestion acknowledges with, per topic: the broker's high-water marks, asked at most once per
/// <see cref="Options.IngestionOptions.WatermarkRefresh"/>, raised past every record this process appended since.
/// </summary>
/// <remarks>
/// Asking Kafka for the end offsets of every partition after every batch costs a metadata request and one
/// offsets request per partition, more than the append itself. The positions the appends return are exact, so
/// the watermark still covers every record of the batch it acknowledges; records other producers appended in the
/// meantime show up at the next refresh.
/// </remarks>
public sealed class WatermarkTracker(IEventLog log, TimeSpan refresh)
{
    private readonly ConcurrentDictionary<string, TopicWatermark> _topics = new();

    private sealed class TopicWatermark
    {
        public readonly Lock Gate = new();
        public SortedDictionary<int, long> EndOffsets = [];
        public DateTimeOffset RefreshedAt = DateTimeOffset.MinValue;
    }

    /// <summary>Records appended by this process: the end offsets move past them at once.</summary>
    public void Advance(string topic, IReadOnlyList<RecordPosition> appended)
    {
        var state = _topics.GetOrAdd(topic, _ => new TopicWatermark());
        lock (state.Gate)
        {
            foreach (var position in appended)
            {
                if (!state.EndOffsets.TryGetValue(position.Partition, out var end) || end <= position.Offset)
                {
                    state.EndOffsets[position.Partition] = position.Offset + 1;
                }
            }
        }
    }

    /// <summary>The end offset of each partition, in partition order.</summary>
    public async Task<IReadOnlyList<KeyValuePair<int, long>>> GetAsync(string topic, CancellationToken cancellationToken)
    {
        var state = _topics.GetOrAdd(topic, _ => new TopicWatermark());
        bool stale;
        lock (state.Gate) stale = DateTimeOffset.UtcNow - state.RefreshedAt >= refresh;
        if (stale)
        {
            var asked = DateTimeOffset.UtcNow;
            var broker = await log.GetEndOffsetsAsync(topic, cancellationToken);
            lock (state.Gate)
            {
                // Never move back: an append whose report arrived while the broker answered is already counted.
                foreach (var (partition, end) in broker)
                {
                    if (!state.EndOffsets.TryGetValue(partition, out var known) || known < end) state.EndOffsets[partition] = end;
                }
                state.RefreshedAt = asked;
            }
        }
        lock (state.Gate) return state.EndOffsets.ToArray();
    }
}
