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

namespace Cascade.Features.Tests.Materialization;

/// <summary>A view's <c>ttl</c>: entities not written for that long stop being served, and a rebuild does not bring them back.</summary>
public sealed class TimeToLiveTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-features-ttl-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static FeatureViewDefinition View(TimeSpan? ttl) => FeatureViewDefinition.From(new FeatureViewSpec
    {
        Name = "v",
        Dataset = "d",
        Passthrough = { "x" },
        Ttl = ttl is { } t ? Duration.FromTimeSpan(t) : null,
    }, 1);

    private static ConsumedRecord Consumed(long offset, string entity, double x)
    {
        // Event times long past: the ttl counts from the write, so a backfill of old events is still served.
        var record = new DataRecord { Dataset = "d", RecordId = $"r{offset}", EntityId = entity, EventTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)), Values = { ["x"] = new Value { Float64Value = x } } };
        return new ConsumedRecord(Topics.Data("d"), 0, offset, entity, EventEnvelopes.Wrap(record, entity, "test").ToByteArray(), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task An_entity_not_written_for_longer_than_the_ttl_stops_being_served_while_a_view_without_one_keeps_it()
    {
        using var states = new FeatureStateStore(Path.Combine(_data, "features.db"));
        using var offline = new SqliteOfflineStore(Path.Combine(_data, "offline.db"));
        var online = new InProcessOnlineStore();
        var view = View(TimeSpan.FromSeconds(1));
        var materializer = await FeatureMaterializer.StartAsync(view, states, online, offline, new EntityErasures(states), CancellationToken.None);

        await materializer.ProcessAsync([Consumed(0, "e", 1)], CancellationToken.None);

        (await online.ReadAsync("v", "e"))!.Values.Should().Equal(1);
        await Eventually.WaitUntilAsync(async () => await online.ReadAsync("v", "e") is null, "the one-second ttl drops e", TimeSpan.FromSeconds(10));
        (await online.ReadBatchAsync("v", ["e"]))[0].Should().BeNull();
    }

    [Fact]
    public async Task A_rebuild_writes_entities_still_within_the_ttl_and_drops_those_idle_longer()
    {
        var path = Path.Combine(_data, "features.db");
        var now = DateTimeOffset.UtcNow;
        using (var states = new FeatureStateStore(path))
        {
            var older = View(null);
            var recent = new EntityState();
            recent.Apply(older, now.AddDays(-400), new Dictionary<string, double> { ["x"] = 1 });
            recent.Written(now.AddSeconds(-10));
            var idle = new EntityState();
            idle.Apply(older, now, new Dictionary<string, double> { ["x"] = 2 });
            idle.Written(now.AddMinutes(-2));
            var legacy = new EntityState(); // checkpointed before write times were kept
            legacy.Apply(older, now.AddDays(-400), new Dictionary<string, double> { ["x"] = 3 });
            states.Checkpoint("v@1", new Dictionary<string, EntityState> { ["recent"] = recent, ["idle"] = idle, ["legacy"] = legacy }, new Dictionary<int, long> { [0] = 3 });
        }

        using var reopened = new FeatureStateStore(path);
        using var offline = new SqliteOfflineStore(Path.Combine(_data, "offline.db"));
        var online = new InProcessOnlineStore();
        await FeatureMaterializer.StartAsync(View(TimeSpan.FromMinutes(1)), reopened, online, offline, new EntityErasures(reopened), CancellationToken.None);

        var read = await online.ReadBatchAsync("v", ["recent", "idle", "legacy"]);
        read[0]!.Values.Should().Equal(1);
        read[0]!.UpdatedAt.Should().BeCloseTo(now.AddSeconds(-10), TimeSpan.FromMilliseconds(1), "the ttl keeps counting from the last real write");
        read[1].Should().BeNull("written two minutes ago under a one-minute ttl: a restart must not resurrect it");
        read[2]!.Values.Should().Equal([3], "a state without a write time counts from the rebuild, never dropped for lack of one");
    }

    [Fact]
    public void Ttl_zero_or_absent_means_never_and_a_positive_one_is_the_view_s_time_to_live()
    {
        View(null).TimeToLive.Should().BeNull();
        View(TimeSpan.Zero).TimeToLive.Should().BeNull();
        View(TimeSpan.FromDays(90)).TimeToLive.Should().Be(TimeSpan.FromDays(90));
    }
}
