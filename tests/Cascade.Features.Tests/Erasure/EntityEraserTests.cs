using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Features.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.Features.Domain;
using Cascade.Features.Erasure;
using Cascade.Features.Materialization;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Features.Tests.Erasure;

/// <summary>
/// Erasing an entity removes its online vector, offline rows (every view version) and window state, and nothing of
/// anyone else's; erasing again removes nothing more; and its records so far never come back: not through a running
/// materializer, a restart, a new view version replaying the data topic, nor a batch that was in flight.
/// </summary>
public sealed class EntityEraserTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<int, long> Everything = new() { [0] = long.MaxValue, [1] = long.MaxValue };
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-erase-").FullName;
    private SqliteEventLog _log = null!;
    private FeatureStateStore _states = null!;
    private SqliteOfflineStore _offline = null!;
    private readonly InProcessOnlineStore _online = new();
    private EntityErasures _erasures = null!;
    private int _second;

    public Task InitializeAsync()
    {
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db"), DefaultPartitions = 2 });
        _states = new FeatureStateStore(Path.Combine(_data, "features.db"));
        _offline = new SqliteOfflineStore(Path.Combine(_data, "offline.db"));
        _erasures = new EntityErasures(_states);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _offline.Dispose();
        _states.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private EntityEraser Eraser(IOnlineStore? online = null) => new(_states, _erasures, online ?? _online, _offline, _log);

    /// <summary>The view over dataset "d": x passed through and summed over an hour.</summary>
    private FeatureViewDefinition Apply(string name = "v", bool withCount = false)
    {
        var spec = new FeatureViewSpec
        {
            Name = name, Dataset = "d", Passthrough = { "x" },
            Aggregations = { new Aggregation { Column = "x", Function = AggregationFunction.Sum, Window = Duration.FromTimeSpan(TimeSpan.FromHours(1)) } },
        };
        if (withCount) spec.Aggregations.Add(new Aggregation { Column = "x", Function = AggregationFunction.Count, Window = Duration.FromTimeSpan(TimeSpan.FromHours(1)) });
        return _states.Apply(spec);
    }

    /// <summary>Appends records (entity, x) to the data topic, labeled, and returns them as a consumer reads them.</summary>
    private async Task<ConsumedRecord[]> AppendAsync(params (string Entity, double X)[] records)
    {
        var outgoing = records.Select(r => (r.Entity, Bytes: EventEnvelopes.Wrap(new DataRecord
        {
            Dataset = "d", RecordId = $"r{_second}-{r.Entity}", EntityId = r.Entity, EventTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(++_second)),
            Values = { ["x"] = new Value { Float64Value = r.X } }, Label = 1,
        }, r.Entity, "test").ToByteArray())).ToArray();
        var positions = await _log.AppendAsync(Topics.Data("d"), outgoing.Select(o => new OutgoingRecord(o.Entity, o.Bytes)).ToArray());
        return positions.Select((p, i) => new ConsumedRecord(p.Topic, p.Partition, p.Offset, outgoing[i].Entity, outgoing[i].Bytes, DateTimeOffset.UtcNow)).ToArray();
    }

    private async Task<string[]> OfflineEntitiesAsync(FeatureViewDefinition view) =>
        (await _offline.ReadAsync(view.Name, view.Version, Everything, labeledOnly: false)).Select(r => r.EntityId).ToArray();

    [Fact]
    public async Task Erasing_removes_the_entitys_online_vector_offline_rows_and_window_state_and_nothing_of_anyone_elses()
    {
        var view = Apply();
        var materializer = await FeatureMaterializer.StartAsync(view, _states, _online, _offline, _erasures, CancellationToken.None);
        await materializer.ProcessAsync(await AppendAsync(("alice", 1), ("bob", 2), ("alice", 3), ("bob", 4), ("alice", 5)), CancellationToken.None);

        var erased = await Eraser().EraseAsync("d", "alice", CancellationToken.None);

        erased.FeatureViews.Should().Equal("v");
        (erased.OnlineVectors, erased.OfflineRows, erased.EntityStates).Should().Be((1, 3, 1));
        erased.Erasure.Through.Values.Sum().Should().Be(5, "the data topic's end when it was erased");
        (await _online.ReadAsync("v", "alice")).Should().BeNull();
        (await _online.ReadAsync("v", "bob"))!.Values.Should().Equal(4, 6);
        (await OfflineEntitiesAsync(view)).Should().Equal("bob", "bob");
        _states.Load("v@1").States.Keys.Should().Equal("bob");
        (await _offline.CountLabeledAsync("v", 1)).Should().Be(2);

        var again = await Eraser().EraseAsync("d", "alice", CancellationToken.None);
        (again.OnlineVectors, again.OfflineRows, again.EntityStates).Should().Be((0, 0, 0), "erasing twice removes nothing more");
        again.Erasure.Through.Should().BeEquivalentTo(erased.Erasure.Through);
    }

    [Fact]
    public async Task Rows_waiting_for_the_next_checkpoint_are_never_written_once_their_entity_is_erased()
    {
        var view = Apply();
        var checkpoints = new Cascade.Features.Options.MaterializationOptions { CheckpointInterval = TimeSpan.FromHours(1) };
        var materializer = await FeatureMaterializer.StartAsync(view, _states, _online, _offline, _erasures, CancellationToken.None, checkpoints);
        (await materializer.ProcessAsync(await AppendAsync(("alice", 1), ("bob", 2), ("alice", 3)), CancellationToken.None)).Should().BeNull("no checkpoint is due yet");

        await Eraser().EraseAsync("d", "alice", CancellationToken.None);
        var materialized = await materializer.CheckpointAsync(CancellationToken.None);

        materialized!.RowsWritten.Should().Be(1);
        (await OfflineEntitiesAsync(view)).Should().Equal("bob");
        _states.Load("v@1").States.Keys.Should().Equal("bob");
        (await _offline.CountLabeledAsync("v", 1)).Should().Be(1);
        (await _online.ReadAsync("v", "alice")).Should().BeNull();
    }

    [Fact]
    public async Task The_erased_records_never_come_back_through_the_running_materializer_a_restart_or_a_new_view_version_but_new_records_do()
    {
        var view = Apply();
        var materializer = await FeatureMaterializer.StartAsync(view, _states, _online, _offline, _erasures, CancellationToken.None);
        var before = await AppendAsync(("alice", 1), ("bob", 2), ("alice", 3));
        await materializer.ProcessAsync(before, CancellationToken.None);
        var notYetApplied = await AppendAsync(("alice", 100)); // on the topic, not yet materialized when the erasure comes

        await Eraser().EraseAsync("d", "alice", CancellationToken.None);

        // The running materializer: the record that was waiting is skipped, and a rebuild does not write alice back.
        (await materializer.ProcessAsync(notYetApplied, CancellationToken.None)).Should().BeNull("the only record was alice's, from before the erasure");
        await materializer.RebuildOnlineAsync(CancellationToken.None);
        (await _online.ReadAsync("v", "alice")).Should().BeNull();

        // A record after the erasure is new data: alice starts again from it alone.
        await materializer.ProcessAsync(await AppendAsync(("alice", 7)), CancellationToken.None);
        (await _online.ReadAsync("v", "alice"))!.Values.Should().Equal(7, 7);

        // A restart rebuilds the online store from the checkpoint: alice as she is since the erasure.
        var online = new InProcessOnlineStore();
        await FeatureMaterializer.StartAsync(view, _states, online, _offline, new EntityErasures(_states), CancellationToken.None);
        (await online.ReadAsync("v", "alice"))!.Values.Should().Equal(7, 7);

        // A new view version materializes the data topic from its beginning: the erased records stay out, also after a restart of Features.
        var second = Apply(withCount: true);
        second.Version.Should().Be(2);
        var replay = await FeatureMaterializer.StartAsync(second, _states, _online, _offline, new EntityErasures(_states), CancellationToken.None);
        await using var consumer = _log.Subscribe(new ConsumerOptions("replay", [Topics.Data("d")]));
        var everything = new List<ConsumedRecord>();
        while (everything.Count < 5) everything.AddRange(await consumer.ConsumeAsync(TimeSpan.FromSeconds(5)));
        await replay.ProcessAsync(everything, CancellationToken.None);
        (await OfflineEntitiesAsync(second)).Should().BeEquivalentTo(["bob", "alice"], "alice's one row is the record since her erasure");
        (await _offline.ReadAsync("v", 2, Everything, labeledOnly: false)).Single(r => r.EntityId == "alice").Values.Should().Equal(7, 7, 1);
    }

    [Fact]
    public async Task An_erasure_waits_for_the_batch_in_flight_so_the_batch_cannot_write_the_entity_back()
    {
        var view = Apply();
        var online = new GatedOnlineStore(_online);
        var materializer = await FeatureMaterializer.StartAsync(view, _states, online, _offline, _erasures, CancellationToken.None);
        var records = await AppendAsync(("alice", 1), ("bob", 2));
        online.Hold();

        var batch = materializer.ProcessAsync(records, CancellationToken.None); // stops in its online write, holding the view's gate
        await online.Held;
        var erasure = Eraser(online).EraseAsync("d", "alice", CancellationToken.None);
        erasure.IsCompleted.Should().BeFalse("the batch in flight holds the view");
        online.Release();
        await batch;
        var erased = await erasure;

        erased.OnlineVectors.Should().Be(1, "the batch wrote alice, then the erasure deleted her");
        erased.OfflineRows.Should().Be(1);
        (await _online.ReadAsync("v", "alice")).Should().BeNull();
        (await OfflineEntitiesAsync(view)).Should().Equal("bob");
        _states.Load("v@1").States.Keys.Should().Equal("bob");
    }

    [Fact]
    public async Task An_entity_of_a_dataset_no_view_reads_yet_is_still_kept_out_of_a_view_applied_later()
    {
        await AppendAsync(("alice", 1), ("bob", 2));

        var erased = await Eraser().EraseAsync("d", "alice", CancellationToken.None);
        erased.FeatureViews.Should().BeEmpty();

        var view = Apply();
        var materializer = await FeatureMaterializer.StartAsync(view, _states, _online, _offline, new EntityErasures(_states), CancellationToken.None);
        await using var consumer = _log.Subscribe(new ConsumerOptions("later", [Topics.Data("d")]));
        var records = new List<ConsumedRecord>();
        while (records.Count < 2) records.AddRange(await consumer.ConsumeAsync(TimeSpan.FromSeconds(5)));
        await materializer.ProcessAsync(records, CancellationToken.None);
        (await OfflineEntitiesAsync(view)).Should().Equal("bob");
    }

    [Theory]
    [InlineData("", "alice", "dataset is required")]
    [InlineData("d", "", "entity_id is required")]
    public async Task An_empty_dataset_or_entity_is_refused(string dataset, string entity, string message)
    {
        var erase = () => Eraser().EraseAsync(dataset, entity, CancellationToken.None);

        (await erase.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(message);
    }

    /// <summary>An online store whose writes can be held, to catch a batch half-way.</summary>
    private sealed class GatedOnlineStore(IOnlineStore inner) : IOnlineStore
    {
        private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _release;

        public Task Held => _held.Task;

        public void Hold() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release!.TrySetResult();

        public async ValueTask WriteBatchAsync(string featureView, IReadOnlyList<FeatureVector> vectors, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
        {
            if (_release is { } release)
            {
                _held.TrySetResult();
                await release.Task;
            }
            await inner.WriteBatchAsync(featureView, vectors, timeToLive, cancellationToken);
        }

        public ValueTask<FeatureVector?[]> ReadBatchAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default) => inner.ReadBatchAsync(featureView, entityIds, cancellationToken);

        public ValueTask<FeatureVector?> ReadAsync(string featureView, string entityId, CancellationToken cancellationToken = default) => inner.ReadAsync(featureView, entityId, cancellationToken);

        public ValueTask<int> DeleteAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default) => inner.DeleteAsync(featureView, entityIds, cancellationToken);
    }
}
