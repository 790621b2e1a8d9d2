using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Features.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Features.Domain;
using Cascade.Features.Erasure;
using Cascade.Features.Materialization;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Features.Tests;

public sealed class FeatureMaterializerTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-features-").FullName;
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static FeatureViewDefinition View() => FeatureViewDefinition.From(new FeatureViewSpec
    {
        Name = "v",
        Dataset = "d",
        Passthrough = { "x" },
        Aggregations =
        {
            new Aggregation { Column = "x", Function = AggregationFunction.Sum, Window = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) },
            new Aggregation { Column = "x", Function = AggregationFunction.Count, Window = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) },
            new Aggregation { Column = "x", Function = AggregationFunction.Max, Window = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) },
        },
    }, 1);

    /// <summary>Record i of entity e at second i with x = i, at (partition 0, offset i).</summary>
    private static ConsumedRecord Consumed(long offset, string entity, double x, int second, string? recordId = null)
    {
        var record = new DataRecord { Dataset = "d", RecordId = recordId ?? $"r{offset}", EntityId = entity, EventTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(second)), Values = { ["x"] = new Value { Float64Value = x } }, Label = 1 };
        return new ConsumedRecord(Topics.Data("d"), 0, offset, entity, EventEnvelopes.Wrap(record, entity, "test").ToByteArray(), DateTimeOffset.UtcNow);
    }

    private (FeatureStateStore States, InProcessOnlineStore Online, SqliteOfflineStore Offline) Stores() =>
        (new FeatureStateStore(Path.Combine(_data, "features.db")), new InProcessOnlineStore(), new SqliteOfflineStore(Path.Combine(_data, "offline.db")));

    [Fact]
    public async Task Windowed_aggregates_cover_exactly_the_last_window_of_event_time()
    {
        var (states, online, offline) = Stores();
        using var _ = states;
        using var __ = offline;
        var materializer = await FeatureMaterializer.StartAsync(View(), states, online, offline, new EntityErasures(states), CancellationToken.None);
        // x = 1..15 at seconds 1..15: at second 15 the 10 s window (5, 15] holds 6..15.
        await materializer.ProcessAsync(Enumerable.Range(1, 15).Select(i => Consumed(i, "e", i, i)).ToArray(), CancellationToken.None);
        var vector = await online.ReadAsync("v", "e");
        vector!.Values.Should().Equal(15, Enumerable.Range(6, 10).Sum(), 10, 15);
        var rows = await offline.ReadAsync("v", 1, new Dictionary<int, long> { [0] = 100 }, labeledOnly: true);
        rows.Should().HaveCount(15);
        // The row of record 3 sees only records up to it: point in time.
        rows[2].Values.Should().Equal(3, 6, 3, 3);
    }

    [Fact]
    public async Task Freshness_counts_from_ingestion_s_acceptance_not_from_when_the_log_was_read()
    {
        var (states, online, offline) = Stores();
        using var _ = states;
        using var __ = offline;
        var materializer = await FeatureMaterializer.StartAsync(View(), states, online, offline, new EntityErasures(states), CancellationToken.None);
        // Accepted 3 s ago, read now (a Kafka 0.9 consumer's AppendedAt is the read time).
        var record = new DataRecord { Dataset = "d", RecordId = "r1", EntityId = "e", EventTime = Timestamp.FromDateTimeOffset(Start), Values = { ["x"] = new Value { Float64Value = 1 } },
            IngestedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-3)) };
        var consumed = new ConsumedRecord(Topics.Data("d"), 0, 0, "e", EventEnvelopes.Wrap(record, "e", "test").ToByteArray(), DateTimeOffset.UtcNow);

        await materializer.ProcessAsync([consumed], CancellationToken.None);

        var (_, p99, _, samples) = materializer.Freshness.Snapshot();
        samples.Should().Be(1);
        p99.Should().BeInRange(3_000, 60_000);
    }

    [Fact]
    public async Task A_record_the_broker_stored_twice_is_applied_once_even_across_a_restart()
    {
        // Records 1..10, then a retried send stored 6..10 again at offsets 11..15 (same record ids, new offsets).
        var originals = Enumerable.Range(1, 10).Select(i => Consumed(i, "e", i, i)).ToArray();
        var copies = Enumerable.Range(6, 5).Select(i => Consumed(i + 5, "e", i, i, recordId: $"r{i}")).ToArray();
        var (states, online, offline) = Stores();
        var materializer = await FeatureMaterializer.StartAsync(View(), states, online, offline, new EntityErasures(states), CancellationToken.None);
        await materializer.ProcessAsync(originals, CancellationToken.None);
        var once = (await online.ReadAsync("v", "e"))!.Values;
        (await materializer.ProcessAsync(copies[..2], CancellationToken.None)).Should().BeNull("both records were applied already");
        states.Dispose();
        offline.Dispose();

        var (states2, online2, offline2) = Stores();
        using var _ = states2;
        using var __ = offline2;
        var restarted = await FeatureMaterializer.StartAsync(View(), states2, online2, offline2, new EntityErasures(states2), CancellationToken.None);
        (await restarted.ProcessAsync(copies[2..], CancellationToken.None)).Should().BeNull("the ids applied before the restart are remembered");
        (await online2.ReadAsync("v", "e"))!.Values.Should().Equal(once);
        (await offline2.CountLabeledAsync("v", 1)).Should().Be(10);
        restarted.LabeledRows.Should().Be(10);
    }

    [Fact]
    public async Task A_crash_before_the_commit_and_a_redelivery_count_nothing_twice()
    {
        var records = Enumerable.Range(1, 20).Select(i => Consumed(i, i % 2 == 0 ? "even" : "odd", i, i)).ToArray();

        // One clean pass, for reference.
        var clean = Path.Combine(_data, "clean");
        Directory.CreateDirectory(clean);
        double[] expectedEven, expectedOdd;
        using (var states = new FeatureStateStore(Path.Combine(clean, "f.db")))
        using (var offline = new SqliteOfflineStore(Path.Combine(clean, "o.db")))
        {
            var online = new InProcessOnlineStore();
            var m = await FeatureMaterializer.StartAsync(View(), states, online, offline, new EntityErasures(states), CancellationToken.None);
            await m.ProcessAsync(records, CancellationToken.None);
            expectedEven = (await online.ReadAsync("v", "even"))!.Values;
            expectedOdd = (await online.ReadAsync("v", "odd"))!.Values;
        }

        // Process 15 records, "crash" (the consumer never committed), restart, and get all 20 redelivered.
        var (firstStates, firstOnline, firstOffline) = Stores();
        var first = await FeatureMaterializer.StartAsync(View(), firstStates, firstOnline, firstOffline, new EntityErasures(firstStates), CancellationToken.None);
        await first.ProcessAsync(records[..10], CancellationToken.None);
        await first.ProcessAsync(records[10..15], CancellationToken.None);
        firstStates.Dispose();
        firstOffline.Dispose();

        var (states2, online2, offline2) = Stores();
        using var _ = states2;
        using var __ = offline2;
        var restarted = await FeatureMaterializer.StartAsync(View(), states2, online2, offline2, new EntityErasures(states2), CancellationToken.None);
        (await online2.ReadAsync("v", "even"))!.Values.Should().NotBeEmpty("the online store is rebuilt from the checkpoint at start");
        var materialized = await restarted.ProcessAsync(records, CancellationToken.None);

        materialized!.RowsWritten.Should().Be(5, "only the 5 records never applied are new");
        (await online2.ReadAsync("v", "even"))!.Values.Should().Equal(expectedEven);
        (await online2.ReadAsync("v", "odd"))!.Values.Should().Equal(expectedOdd);
        (await offline2.CountLabeledAsync("v", 1)).Should().Be(20);
        restarted.LabeledRows.Should().Be(20);
    }

    [Fact]
    public void Invalid_views_are_refused_with_the_reason()
    {
        var noFunction = new FeatureViewSpec { Name = "v", Dataset = "d", Aggregations = { new Aggregation { Column = "x", Window = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) } } };
        ((Action)(() => FeatureViewDefinition.From(noFunction, 1))).Should().Throw<ArgumentException>().WithMessage("*no function*");
        var noWindow = new FeatureViewSpec { Name = "v", Dataset = "d", Aggregations = { new Aggregation { Column = "x", Function = AggregationFunction.Mean } } };
        ((Action)(() => FeatureViewDefinition.From(noWindow, 1))).Should().Throw<ArgumentException>().WithMessage("*positive window*");
        var empty = new FeatureViewSpec { Name = "v", Dataset = "d" };
        ((Action)(() => FeatureViewDefinition.From(empty, 1))).Should().Throw<ArgumentException>().WithMessage("*no features*");
        var duplicate = new FeatureViewSpec { Name = "v", Dataset = "d", Passthrough = { "x", "x" } };
        ((Action)(() => FeatureViewDefinition.From(duplicate, 1))).Should().Throw<ArgumentException>().WithMessage("*twice*");
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
