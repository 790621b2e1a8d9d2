using Cascade.Tests.Shared;
using System.Collections.Concurrent;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.EventLog.Handlers;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Profiles;
using Cascade.Monitoring.Storage;
using Cascade.Monitoring.Streaming;
using Cascade.Storage.Artifacts;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Monitoring.Tests.Streaming;

/// <summary>
/// The monitoring consumer runs in the event-handler host: an unreadable event is dead-lettered and counted, the
/// events after it still raise their alerts, and the group reported itself stuck meanwhile; a publish that fails
/// once is retried, publishing the alert once and dead-lettering nothing.
/// </summary>
public sealed class MonitoringProcessorPoisonTests : IAsyncLifetime
{
    private const string Group = "cascade-monitoring";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-monitoring-poison-").FullName;
    private readonly ConsumerHealth _health = new();
    private readonly ConcurrentQueue<ConsumerStatus> _changes = new();
    private readonly EventHandlerCounters _counters = new();
    private readonly CancellationTokenSource _stop = new();
    private SqliteEventLog _log = null!;
    private MonitoringStore _store = null!;
    private Task _run = Task.CompletedTask;

    public Task InitializeAsync()
    {
        _health.Changed += (_, status) => _changes.Enqueue(status);
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db"), DefaultPartitions = 1 });
        _store = new MonitoringStore(Path.Combine(_data, "monitoring.db"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _counters.Dispose();
        _store.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private long Counter(string instrument) => _counters.Of(instrument, Group);

    private MonitoringProcessor Start(IEventLog log)
    {
        var options = new MonitoringServiceOptions { DatabasePath = Path.Combine(_data, "monitoring.db") };
        var processor = new MonitoringProcessor(new ModelMonitors(options.Drift), new ArtifactProfileLoader(new LocalArtifactStore(Path.Combine(_data, "artifacts"))),
            _store, new AlertFeed(), log, options, TimeProvider.System, NullLogger<MonitoringProcessor>.Instance);
        _run = new EventHandlerRunner(log, _health).RunAsync(processor, _stop.Token);
        return processor;
    }

    private static OutgoingRecord LoadFailed(string model, int version) =>
        new(model, EventEnvelopes.Wrap(new ModelLoadFailed { Model = model, Version = version, KeptVersion = 0, Reason = "artifact missing" }, model, "test").ToByteArray());

    [Fact]
    public async Task A_poison_event_is_dead_lettered_and_the_events_after_it_still_raise_alerts()
    {
        Start(_log);
        var poison = (await _log.AppendAsync(Topics.ModelLoadFailed, [LoadFailed("before", 1), new OutgoingRecord("bad", new byte[] { 0xff, 0xff, 0xff, 0x01 }), LoadFailed("after", 2)]))[1];

        await Eventually.WaitUntilAsync(() => _store.RecentAlerts("after", 10).Count == 1, "the event after the poison raises its alert", Deadline);
        _store.RecentAlerts("before", 10).Should().ContainSingle("the alert before the poison is published once, retries notwithstanding");
        await Eventually.WaitUntilAsync(() => Counter("cascade.eventlog.dead_lettered") == 1, "the dead letter is counted", Deadline);
        await using var reader = _log.Subscribe(new ConsumerOptions("test-reader", [Topics.DeadLettered]));
        var letter = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom((await reader.ConsumeAsync(TimeSpan.FromSeconds(5))).Should().ContainSingle().Subject.Value.Span), DeadLettered.Parser);
        letter.GroupId.Should().Be(Group);
        letter.Topic.Should().Be(Topics.ModelLoadFailed);
        letter.Offset.Should().Be(poison.Offset);
        letter.Value.ToByteArray().Should().Equal(0xff, 0xff, 0xff, 0x01);
        _changes.Should().Contain(c => c.GroupId == Group && c.Stuck, "monitoring reported itself stuck while it retried");
        await Eventually.WaitUntilAsync(() => !_health.AnyStuck, "monitoring reports it moved on", Deadline);

        // Committed past the poison (after a checkpoint): a restarted consumer reads nothing again.
        await _stop.CancelAsync();
        await _run;
        await using var again = _log.Subscribe(new ConsumerOptions(Group, [Topics.ModelLoadFailed]));
        (await again.ConsumeAsync(TimeSpan.FromMilliseconds(300))).Should().BeEmpty();
    }

    [Fact]
    public async Task A_transient_publish_failure_is_retried_and_the_alert_goes_out_once()
    {
        Start(new FlakyLog(_log, failingAppends: 1));
        await _log.AppendAsync(Topics.ModelLoadFailed, [LoadFailed("flaky", 1)]);

        await Eventually.WaitUntilAsync(() => _store.RecentAlerts("flaky", 10).Count == 1, "the alert is published on a retry", Deadline);
        await Eventually.WaitUntilAsync(() => Counter("cascade.eventlog.handler.failures") == 1, "the failure is counted", Deadline);
        Counter("cascade.eventlog.dead_lettered").Should().Be(0);
        (await _log.GetEndOffsetsAsync(Topics.DeadLettered)).Values.Sum().Should().Be(0);
        (await _log.GetEndOffsetsAsync(Topics.DriftDetected)).Values.Sum().Should().Be(1, "the failed attempt wrote nothing, the retry wrote it once");
    }

    /// <summary>An event log whose first appends fail, as a broker briefly away would.</summary>
    private sealed class FlakyLog(IEventLog inner, int failingAppends) : IEventLog
    {
        private int _failuresLeft = failingAppends;

        public Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default) => inner.CreateTopicAsync(topic, partitions, cancellationToken);

        public Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _failuresLeft) >= 0 ? throw new EventLogException("broker unavailable") : inner.AppendAsync(topic, records, cancellationToken);

        public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default) => inner.GetEndOffsetsAsync(topic, cancellationToken);

        public IEventConsumer Subscribe(ConsumerOptions options) => inner.Subscribe(options);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
