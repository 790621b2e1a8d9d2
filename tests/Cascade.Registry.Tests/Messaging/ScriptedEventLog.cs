using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;

namespace Cascade.Registry.Tests.Messaging;

/// <summary>
/// A real event log behind a switchboard of failures: down (every append refused), the next appends refused, or the
/// next appends stored but their acknowledgement lost. Records, in order, the event ids of every append tried and of
/// every record stored.
/// </summary>
internal sealed class ScriptedEventLog(IEventLog inner) : IEventLog
{
    private readonly Lock _gate = new();
    private readonly List<string> _attempted = [];
    private readonly List<string> _stored = [];
    private int _failNext;
    private int _loseAckNext;

    /// <summary>Every append is refused while true.</summary>
    public volatile bool Down;

    /// <summary>Refuses the next <paramref name="count"/> appends (nothing stored).</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);

    /// <summary>Stores the next <paramref name="count"/> appends, then fails them as if the acknowledgement was lost.</summary>
    public void LoseAckNext(int count) => Interlocked.Exchange(ref _loseAckNext, count);

    public int Failures { get; private set; }

    public IReadOnlyList<string> Attempted { get { lock (_gate) return _attempted.ToArray(); } }

    public IReadOnlyList<string> Stored { get { lock (_gate) return _stored.ToArray(); } }

    public async Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default)
    {
        var ids = records.Select(r => EventEnvelope.Parser.ParseFrom(r.Value.Span).EventId).ToArray();
        lock (_gate) _attempted.AddRange(ids);
        if (Down || Interlocked.Decrement(ref _failNext) >= 0)
        {
            lock (_gate) Failures++;
            throw new EventLogException($"append to {topic} refused (scripted)");
        }
        var positions = await inner.AppendAsync(topic, records, cancellationToken);
        lock (_gate) _stored.AddRange(ids);
        if (Interlocked.Decrement(ref _loseAckNext) >= 0)
        {
            lock (_gate) Failures++;
            throw new EventLogException($"append to {topic}: acknowledgement lost (scripted)");
        }
        return positions;
    }

    public Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default) => inner.CreateTopicAsync(topic, partitions, cancellationToken);

    public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default) => inner.GetEndOffsetsAsync(topic, cancellationToken);

    public IEventConsumer Subscribe(ConsumerOptions options) => inner.Subscribe(options);

    // The inner log belongs to the test.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
