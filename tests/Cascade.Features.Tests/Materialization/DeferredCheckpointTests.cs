using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Features.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Features.Domain;
using Cascade.Features.Erasure;
using Cascade.Features.Materialization;
using Cascade.Features.Options;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Features.Tests.Materialization;

/// <summary>
/// A materializer writes the online store with every batch but checkpoints (offline rows, entity states, offsets, one
/// <c>FeaturesMaterialized</c>) only when one is due: after its interval, after enough rows, or when asked. What it
/// holds meanwhile is exactly what the next checkpoint writes, and a materializer restarted from the last checkpoint
/// that is handed the same records again ends where the first one would have.
/// </summary>
public sealed class DeferredCheckpointTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<int, long> Everything = new() { [0] = long.MaxValue };
    private static readonly MaterializationOptions Hourly = new() { CheckpointInterval = TimeSpan.FromHours(1) };
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-deferred-").FullName;
    private readonly FeatureStateStore _states;
    private readonly SqliteOfflineStore _offline;
    private readonly InProcessOnlineStore _online = new();
    private readonly FeatureViewDefinition _view;

    public DeferredCheckpointTests()
    {
        _states = new FeatureStateStore(Path.Combine(_data, "features.db"));
        _offline = new SqliteOfflineStore(Path.Combine(_data, "offline.db"));
        _view = _states.Apply(new FeatureViewSpec
        {
            Name = "v", Dataset = "d", Passthrough = { "x" },
            Aggregations = { new Aggregation { Column = "x", Function = AggregationFunction.Sum, Window = Duration.FromTimeSpan(TimeSpan.FromHours(1)) } },
        });
    }

    public void Dispose()
    {
        _offline.Dispose();
        _states.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>Record at (partition 0, offset), of entity e at second = offset, with x.</summary>
    private static ConsumedRecord Consumed(long offset, string entity, double x)
    {
        var record = new DataRecord { Dataset = "d", RecordId = $"r{offset}", EntityId = entity, EventTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(offset)), Values = { ["x"] = new Value { Float64Value = x } }, Label = 1 };
        return new ConsumedRecord(Topics.Data("d"), 0, offset, entity, EventEnvelopes.Wrap(record, entity, "test").ToByteArray(), DateTimeOffset.UtcNow);
    }

    private Task<FeatureMaterializer> StartAsync(MaterializationOptions? checkpoints) =>
        FeatureMaterializer.StartAsync(_view, _states, _online, _offline, new EntityErasures(_states), CancellationToken.None, checkpoints);

    private async Task<int> OfflineRowsAsync() => (await _offline.ReadAsync("v", _view.Version, Everything, labeledOnly: false)).Count;

    [Fact]
    public async Task Vectors_are_served_at_once_while_rows_states_and_offsets_wait_for_the_checkpoint()
    {
        var materializer = await StartAsync(Hourly);

        (await materializer.ProcessAsync([Consumed(0, "a", 1), Consumed(1, "b", 2)], CancellationToken.None)).Should().BeNull("no checkpoint is due");
        (await materializer.ProcessAsync([Consumed(2, "a", 3)], CancellationToken.None)).Should().BeNull();

        (await _online.ReadAsync("v", "a"))!.Values.Should().Equal(3, 4);
        materializer.HasUnsaved.Should().BeTrue("the records must not be committed yet");
        (await OfflineRowsAsync()).Should().Be(0);
        materializer.Applied.Should().BeEmpty();
        _states.Load(FeatureMaterializer.StateKey(_view)).States.Should().BeEmpty();

        var materialized = await materializer.CheckpointAsync(CancellationToken.None);

        materialized!.RowsWritten.Should().Be(3);
        materialized.EntitiesUpdated.Should().Be(2);
        materialized.LabeledRowsTotal.Should().Be(3);
        materialized.Watermark.Partitions.Should().ContainSingle().Which.Offset.Should().Be(3);
        materializer.HasUnsaved.Should().BeFalse();
        (await OfflineRowsAsync()).Should().Be(3);
        _states.Load(FeatureMaterializer.StateKey(_view)).States.Keys.Should().BeEquivalentTo(["a", "b"]);
        (await materializer.CheckpointAsync(CancellationToken.None)).Should().BeNull("nothing new to checkpoint");
    }

    [Fact]
    public async Task Enough_waiting_rows_make_a_checkpoint_due_before_the_interval()
    {
        var materializer = await StartAsync(new MaterializationOptions { CheckpointInterval = TimeSpan.FromHours(1), MaxRowsPerCheckpoint = 4 });

        (await materializer.ProcessAsync([Consumed(0, "a", 1), Consumed(1, "a", 1), Consumed(2, "a", 1)], CancellationToken.None)).Should().BeNull();
        var materialized = await materializer.ProcessAsync([Consumed(3, "b", 1), Consumed(4, "b", 1)], CancellationToken.None);

        materialized!.RowsWritten.Should().Be(5, "the checkpoint takes every row since the last one");
        (await OfflineRowsAsync()).Should().Be(5);
        materializer.HasUnsaved.Should().BeFalse();
    }

    [Fact]
    public async Task A_batch_after_a_quiet_interval_is_checkpointed_at_once_and_an_idle_poll_checkpoints_what_waits()
    {
        var materializer = await StartAsync(new MaterializationOptions { CheckpointInterval = TimeSpan.FromMilliseconds(50) });
        await Task.Delay(100);

        (await materializer.ProcessAsync([Consumed(0, "a", 1)], CancellationToken.None))!.RowsWritten.Should().Be(1, "the interval had passed since the last checkpoint");

        var slow = await StartAsync(Hourly);
        (await slow.ProcessAsync([Consumed(1, "a", 1)], CancellationToken.None)).Should().BeNull();
        (await slow.ProcessAsync([], CancellationToken.None)).Should().BeNull("an idle poll checkpoints only when one is due");
        slow.HasUnsaved.Should().BeTrue();
    }

    [Fact]
    public async Task A_restart_before_the_checkpoint_applies_the_redelivered_records_once_to_the_same_result()
    {
        var records = Enumerable.Range(0, 12).Select(i => Consumed(i, $"e{i % 3}", i)).ToArray();
        var first = await StartAsync(Hourly);
        await first.ProcessAsync(records[..5], CancellationToken.None);
        await first.CheckpointAsync(CancellationToken.None);
        await first.ProcessAsync(records[5..], CancellationToken.None); // applied and served, never checkpointed: the process dies here
        var served = await _online.ReadBatchAsync("v", ["e0", "e1", "e2"]);

        var restarted = await StartAsync(null);
        var materialized = await restarted.ProcessAsync(records[3..], CancellationToken.None); // the consumer redelivers from its last commit

        materialized!.RowsWritten.Should().Be(7, "records 0–4 were checkpointed and are skipped");
        (await OfflineRowsAsync()).Should().Be(12, "each record once");
        materialized.LabeledRowsTotal.Should().Be(12);
        (await _online.ReadBatchAsync("v", ["e0", "e1", "e2"])).Select(v => v!.Values).Should().BeEquivalentTo(served.Select(v => v!.Values), o => o.WithStrictOrdering());
    }
}
