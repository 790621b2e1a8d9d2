using Cascade.Tests.Shared;
using System.Collections.Concurrent;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Features.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.EventLog.Handlers;
using Cascade.Features.Erasure;
using Cascade.Features.Materialization;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Features.Tests.Materialization;

/// <summary>
/// A view's materialization loop runs in the event-handler host: an unreadable record on the data topic is
/// dead-lettered and counted, the view goes on materializing the records after it, and the group reported itself
/// stuck meanwhile; a write that fails once is retried without losing or dead-lettering anything.
/// </summary>
public sealed class MaterializationPoisonTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const string Group = "cascade-features.poison-view.v1";
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-features-poison-").FullName;
    private readonly string _dataset = $"d{Guid.NewGuid():N}";
    private readonly ConsumerHealth _health = new();
    private readonly ConcurrentQueue<ConsumerStatus> _changes = new();
    private readonly EventHandlerCounters _counters = new();
    private readonly CancellationTokenSource _stop = new();
    private SqliteEventLog _log = null!;
    private FeatureStateStore _states = null!;
    private SqliteOfflineStore _offline = null!;

    public Task InitializeAsync()
    {
        _health.Changed += (_, status) => _changes.Enqueue(status);
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db"), DefaultPartitions = 1 });
        _states = new FeatureStateStore(Path.Combine(_data, "features.db"));
        _offline = new SqliteOfflineStore(Path.Combine(_data, "offline.db"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _counters.Dispose();
        _offline.Dispose();
        _states.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private long Counter(string instrument) => _counters.Of(instrument, Group);

    private async Task<MaterializationService> StartAsync(IOnlineStore online)
    {
        var service = new MaterializationService(_states, online, _offline, _log, new EventHandlerRunner(_log, _health), new EntityErasures(_states), new Cascade.Features.Options.MaterializationOptions());
        await service.StartAsync(_stop.Token);
        service.Start(_states.Apply(new FeatureViewSpec { Name = "poison-view", Dataset = _dataset, Passthrough = { "x" } }));
        return service;
    }

    private OutgoingRecord Data(string entity, double x, int second)
    {
        var record = new DataRecord { Dataset = _dataset, RecordId = $"{entity}-{second}", EntityId = entity, EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(second)), Values = { ["x"] = new Value { Float64Value = x } }, Label = 1 };
        return new OutgoingRecord(entity, EventEnvelopes.Wrap(record, entity, "test").ToByteArray());
    }

    [Fact]
    public async Task A_poison_data_record_is_dead_lettered_and_the_records_after_it_are_materialized()
    {
        var online = new InProcessOnlineStore();
        var service = await StartAsync(online);
        var poison = (await _log.AppendAsync(Topics.Data(_dataset), [Data("before", 1, 1), new OutgoingRecord("bad", new byte[] { 0xff, 0xff, 0xff, 0x01 }), Data("after", 2, 2)]))[1];

        await Eventually.WaitUntilAsync(async () => await online.ReadAsync("poison-view", "after") is not null, "the record after the poison is materialized", Deadline);
        (await online.ReadAsync("poison-view", "before")).Should().NotBeNull();
        await Eventually.WaitUntilAsync(() => Counter("cascade.eventlog.dead_lettered") == 1, "the dead letter is counted", Deadline);
        await using var reader = _log.Subscribe(new ConsumerOptions("test-reader", [Topics.DeadLettered]));
        var letters = await reader.ConsumeAsync(TimeSpan.FromSeconds(5));
        var letter = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(letters.Should().ContainSingle().Subject.Value.Span), DeadLettered.Parser);
        letter.GroupId.Should().Be(Group);
        letter.Topic.Should().Be(Topics.Data(_dataset));
        letter.Offset.Should().Be(poison.Offset);
        letter.Value.ToByteArray().Should().Equal(0xff, 0xff, 0xff, 0x01);
        _changes.Should().Contain(c => c.GroupId == Group && c.Stuck, "the view's loop reported itself stuck while it retried");
        await Eventually.WaitUntilAsync(() => !_health.AnyStuck, "the loop reports it moved on", Deadline);
        await Eventually.WaitUntilAsync(() => service.Find("poison-view")!.Applied.GetValueOrDefault(0) == 3, "the checkpoint is past all three records", Deadline);
    }

    [Fact]
    public async Task A_transient_online_store_failure_is_retried_without_dead_lettering()
    {
        var online = new FlakyOnlineStore(failures: 1);
        var service = await StartAsync(online);
        await _log.AppendAsync(Topics.Data(_dataset), [Data("e1", 1, 1), Data("e2", 2, 2)]);

        await Eventually.WaitUntilAsync(async () => await online.ReadAsync("poison-view", "e2") is not null, "the batch is materialized on a retry", Deadline);
        (await online.ReadAsync("poison-view", "e1")).Should().NotBeNull();
        Counter("cascade.eventlog.handler.failures").Should().Be(1);
        Counter("cascade.eventlog.dead_lettered").Should().Be(0);
        (await _log.GetEndOffsetsAsync(Topics.DeadLettered)).Values.Sum().Should().Be(0);
        // The offline rows follow with the view's next checkpoint (within a second).
        await Eventually.WaitUntilAsync(() => service.Find("poison-view")!.Applied.GetValueOrDefault(0) == 2, "the records are checkpointed", Deadline);
        (await _offline.ReadAsync("poison-view", 1, new Dictionary<int, long> { [0] = 100 }, labeledOnly: true)).Should().HaveCount(2, "nothing was lost or written twice");
    }

    /// <summary>An online store whose first writes fail, as a Redis briefly away would.</summary>
    private sealed class FlakyOnlineStore(int failures) : IOnlineStore
    {
        private readonly InProcessOnlineStore _inner = new();
        private int _failuresLeft = failures;

        public ValueTask WriteBatchAsync(string featureView, IReadOnlyList<FeatureVector> vectors, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _failuresLeft) >= 0 ? throw new IOException("online store unavailable") : _inner.WriteBatchAsync(featureView, vectors, timeToLive, cancellationToken);

        public ValueTask<FeatureVector?[]> ReadBatchAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default) => _inner.ReadBatchAsync(featureView, entityIds, cancellationToken);

        public ValueTask<FeatureVector?> ReadAsync(string featureView, string entityId, CancellationToken cancellationToken = default) => _inner.ReadAsync(featureView, entityId, cancellationToken);

        public ValueTask<int> DeleteAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default) => _inner.DeleteAsync(featureView, entityIds, cancellationToken);
    }
}
