using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Serving.Domain;
using Microsoft.Extensions.Hosting;

namespace Cascade.Serving.Tests.Domain;

/// <summary>
/// Every answered prediction reaches the predictions topic: in the order answered, in batches, after the log was
/// down, and when the host stops with predictions still waiting. Only a full queue (the log down for 100,000
/// predictions) drops, and counts what it drops.
/// </summary>
public sealed class PredictionLogTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly RecordingLog _log = new();
    private readonly PredictionLog _predictions;

    public PredictionLogTests() => _predictions = new PredictionLog(_log);

    public Task InitializeAsync() => _predictions.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        _log.Release();
        await StopAsync();
        _predictions.Dispose();
    }

    /// <summary>What the host does at a stop: StopAsync on every hosted service, then StoppedAsync on each.</summary>
    private async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await _predictions.StopAsync(timeout.Token);
        await ((IHostedLifecycleService)_predictions).StoppedAsync(timeout.Token);
    }

    private static LoggedPrediction Prediction(int n) =>
        new($"p{n}", $"r{n}", "demo-model", 1, $"e{n % 7}", [n, n + 0.5f], [n / 100f], 3, DateTime.UtcNow, PredictionRole.Champion);

    [Fact]
    public async Task Every_prediction_reaches_the_topic_in_the_order_answered_in_batches_of_at_most_a_thousand()
    {
        for (var n = 0; n < 5_000; n++)
        {
            _predictions.Enqueue(Prediction(n));
        }

        await Eventually.WaitUntilAsync(() => _log.Stored.Count == 5_000, "every prediction is on the topic", Deadline);
        _log.Stored.Select(p => p.PredictionId).Should().Equal(Enumerable.Range(0, 5_000).Select(n => $"p{n}"));
        _log.Stored[42].Should().BeEquivalentTo(new { RequestId = "r42", Model = "demo-model", Version = 1, EntityId = "e0", LatencyMicros = 3L });
        _log.Stored[42].Features.Should().Equal(42f, 42.5f);
        _log.Keys.Should().OnlyContain(key => key == "demo-model", "predictions are keyed by model");
        _log.Topics.Should().OnlyContain(topic => topic == Topics.PredictionsLogged);
        _log.BatchSizes.Should().OnlyContain(size => size <= PredictionLog.MaxBatch);
        _predictions.Dropped.Should().Be(0);
    }

    [Fact]
    public async Task Predictions_from_many_request_threads_all_arrive_each_thread_in_its_order()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (var n = 0; n < 2_000; n++)
            {
                _predictions.Enqueue(Prediction(thread * 10_000 + n));
            }
        })));

        await Eventually.WaitUntilAsync(() => _log.Stored.Count == 16_000, "every prediction is on the topic", Deadline);
        var ids = _log.Stored.Select(p => int.Parse(p.PredictionId[1..])).ToArray();
        ids.Should().OnlyHaveUniqueItems();
        foreach (var thread in ids.GroupBy(id => id / 10_000))
        {
            thread.Should().BeInAscendingOrder();
        }
    }

    [Fact]
    public async Task Predictions_answered_while_the_log_is_down_are_appended_once_it_is_back()
    {
        _log.FailNext(3);
        for (var n = 0; n < 100; n++)
        {
            _predictions.Enqueue(Prediction(n));
        }

        await Eventually.WaitUntilAsync(() => _log.Stored.Count == 100, "the predictions are on the topic after the failures", Deadline);
        _log.Failures.Should().Be(3);
        _log.Stored.Select(p => p.PredictionId).Should().Equal(Enumerable.Range(0, 100).Select(n => $"p{n}"));
        _predictions.Dropped.Should().Be(0);
    }

    [Fact]
    public async Task A_stop_appends_the_predictions_still_waiting_and_the_append_it_interrupted()
    {
        _log.Block();
        for (var n = 0; n < 10; n++)
        {
            _predictions.Enqueue(Prediction(n));
        }
        await Eventually.WaitUntilAsync(() => _log.Blocked > 0, "an append is in progress", Deadline);
        for (var n = 10; n < 20; n++)
        {
            _predictions.Enqueue(Prediction(n));
        }

        _log.Unblock(); // later appends go through; the one in progress waits until the stop interrupts it
        await StopAsync();

        _log.Stored.Select(p => p.PredictionId).Should().Equal(Enumerable.Range(0, 20).Select(n => $"p{n}"));
        _predictions.Dropped.Should().Be(0);
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_rather_than_blocking_requests()
    {
        _log.Block();
        _predictions.Enqueue(Prediction(-1));
        await Eventually.WaitUntilAsync(() => _log.Blocked > 0, "an append is in progress", Deadline);
        for (var n = 0; n < PredictionLog.Capacity + 10; n++)
        {
            _predictions.Enqueue(Prediction(n));
        }

        _predictions.Dropped.Should().Be(11, "one prediction is being appended and 99,999 wait: the queue holds 100,000");
    }

    /// <summary>An event log that keeps what it is given, parsed; it can refuse appends or hold them until released.</summary>
    private sealed class RecordingLog : IEventLog
    {
        private readonly Lock _gate = new();
        private readonly List<PredictionLogged> _stored = [];
        private readonly List<string?> _keys = [];
        private readonly List<string> _topics = [];
        private readonly List<int> _batches = [];
        private TaskCompletionSource _open = Open();
        private int _failNext;
        private int _blocked;

        private static TaskCompletionSource Open()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }

        public IReadOnlyList<PredictionLogged> Stored { get { lock (_gate) return _stored.ToArray(); } }

        public IReadOnlyList<string?> Keys { get { lock (_gate) return _keys.ToArray(); } }

        public IReadOnlyList<string> Topics { get { lock (_gate) return _topics.ToArray(); } }

        public IReadOnlyList<int> BatchSizes { get { lock (_gate) return _batches.ToArray(); } }

        public int Failures { get; private set; }

        public int Blocked => Volatile.Read(ref _blocked);

        public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);

        /// <summary>Holds every append from now on until <see cref="Unblock"/> or its cancellation.</summary>
        public void Block() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Lets appends made from now on through; one already held stays held until it is cancelled.</summary>
        public void Unblock() => _open = Open();

        public void Release() => _open.TrySetResult();

        public async Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default)
        {
            var open = _open;
            if (!open.Task.IsCompleted)
            {
                Interlocked.Increment(ref _blocked);
                await open.Task.WaitAsync(cancellationToken);
            }
            if (Interlocked.Decrement(ref _failNext) >= 0)
            {
                Failures++;
                throw new EventLogException("append refused (test)");
            }
            lock (_gate)
            {
                _topics.Add(topic);
                _batches.Add(records.Count);
                foreach (var record in records)
                {
                    _keys.Add(record.Key);
                    _stored.Add(EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), PredictionLogged.Parser));
                }
            }
            return records.Select((_, i) => new RecordPosition(topic, 0, i)).ToArray();
        }

        public Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IEventConsumer Subscribe(ConsumerOptions options) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
