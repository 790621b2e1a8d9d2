using Cascade.Storage.OnlineStore;
using Cascade.Storage.Redis;

namespace Cascade.Infrastructure.Tests;

/// <summary>The Redis online store against the local Redis: whole vectors, batched reads, TTL per view, data loss and outages.</summary>
public sealed class RedisOnlineStoreTests : IDisposable
{
    private readonly string _view = Servers.Unique("view");
    private readonly RedisOnlineStore _store;

    public RedisOnlineStoreTests()
    {
        _store = new RedisOnlineStore(new RedisOnlineStoreOptions { Configuration = Servers.Redis, TimeToLive = { [ShortLived] = TimeSpan.FromSeconds(1) } });
    }

    private const string ShortLived = "short-lived-view";

    private static FeatureVector Vector(string entity, params double[] values) =>
        new(entity, values, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(values.Length), DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_written_batch_reads_back_exactly_including_missing_values_and_later_writes_replace_earlier_ones()
    {
        var vectors = Enumerable.Range(0, 500).Select(i => Vector($"e{i}", i, i * 0.5, double.NaN, -i)).ToArray();
        await _store.WriteBatchAsync(_view, vectors);
        await _store.WriteBatchAsync(_view, [Vector("e7", 70, 71)]);

        var read = await _store.ReadBatchAsync(_view, ["e0", "e7", "nobody", "e499"]);

        read[0]!.Values.Should().Equal(0, 0, double.NaN, 0);
        read[0]!.EventTime.Should().Be(vectors[0].EventTime);
        read[0]!.UpdatedAt.UtcTicks.Should().Be(vectors[0].UpdatedAt.UtcTicks);
        read[1]!.Values.Should().Equal(70, 71);
        read[2].Should().BeNull();
        read[3]!.Values.Should().Equal(499, 249.5, double.NaN, -499);
        (await _store.ReadAsync(_view, "e499"))!.Values.Should().Equal(read[3]!.Values);
    }

    [Fact]
    public async Task Deleting_entities_removes_their_keys_in_that_view_only_and_counts_those_redis_held()
    {
        var other = Servers.Unique("view");
        await _store.WriteBatchAsync(_view, [Vector("e1", 1), Vector("e2", 2)]);
        await _store.WriteBatchAsync(other, [Vector("e1", 3)]);

        (await _store.DeleteAsync(_view, ["e1", "unknown"])).Should().Be(1);

        (await _store.ReadAsync(_view, "e1")).Should().BeNull();
        (await _store.ReadAsync(_view, "e2")).Should().NotBeNull();
        (await _store.ReadAsync(other, "e1")).Should().NotBeNull("another view's vector of the same entity is its own key");
        (await _store.DeleteAsync(_view, ["e1"])).Should().Be(0, "erasing again finds nothing");
        (await _store.DeleteAsync(_view, [])).Should().Be(0);
    }

    [Fact]
    public async Task Views_are_separate_and_a_view_s_ttl_expires_its_vectors()
    {
        await _store.WriteBatchAsync(ShortLived, [Vector("e1", 1)]);
        await _store.WriteBatchAsync(_view, [Vector("e1", 2)]);
        (await _store.ReadAsync(ShortLived, "e1"))!.Values.Should().Equal(1);

        await Eventually.WaitForAsync(async () => await _store.ReadAsync(ShortLived, "e1"), vector => vector is null, "the view's one-second TTL expires e1", TimeSpan.FromSeconds(10));
        (await _store.ReadAsync(_view, "e1"))!.Values.Should().Equal(2);
    }

    [Fact]
    public async Task A_view_is_intact_once_marked_and_not_after_the_server_lost_its_keys()
    {
        (await _store.IsIntactAsync(_view)).Should().BeFalse("nothing was ever written for a new view");
        await _store.WriteBatchAsync(_view, [Vector("e1", 1)]);
        await _store.MarkIntactAsync(_view);
        (await _store.IsIntactAsync(_view)).Should().BeTrue();

        // What a restart without persistence does to this view's keys (the other tests' keys are left alone).
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Servers.Redis);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = server.Keys(pattern: $"*{_view}*").ToArray();
        keys.Should().HaveCount(2, "the vector and the marker");
        await redis.GetDatabase().KeyDeleteAsync(keys);

        (await _store.IsIntactAsync(_view)).Should().BeFalse("the feature service must write the view again");
    }

    private static FeatureVector Updated(string entity, double value, DateTimeOffset updatedAt) =>
        new(entity, [value], DateTimeOffset.UnixEpoch, updatedAt);

    private static async Task<TimeSpan?> KeyTimeToLive(string view, string entity)
    {
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Servers.Redis);
        return await redis.GetDatabase().KeyTimeToLiveAsync($"{new RedisOnlineStoreOptions().KeyPrefix}:{view}:{entity}");
    }

    [Fact]
    public async Task A_view_s_own_ttl_expires_its_vectors_and_counts_from_their_update_time()
    {
        await _store.WriteBatchAsync(_view, [Updated("fresh", 1, DateTimeOffset.UtcNow)], TimeSpan.FromSeconds(1));
        await _store.WriteBatchAsync(_view, [Updated("aged", 2, DateTimeOffset.UtcNow.AddSeconds(-30))], TimeSpan.FromMinutes(1));
        await _store.WriteBatchAsync(_view, [Updated("forever", 3, DateTimeOffset.UnixEpoch)]);

        (await KeyTimeToLive(_view, "aged")).Should().BeCloseTo(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), "a minute from its update 30 s ago, not from the write");
        (await KeyTimeToLive(_view, "forever")).Should().BeNull("no ttl passed and none configured: kept until overwritten");
        await Eventually.WaitForAsync(async () => await _store.ReadAsync(_view, "fresh"), vector => vector is null, "the one-second ttl expires fresh", TimeSpan.FromSeconds(10));
        (await _store.ReadBatchAsync(_view, ["fresh", "aged"]))[1]!.Values.Should().Equal(2);
    }

    [Fact]
    public async Task A_vector_whose_ttl_ran_out_before_it_was_written_is_deleted_not_stored()
    {
        // What a rebuild does with an entity idle for longer than the ttl: it passes the vector's first write time.
        await _store.WriteBatchAsync(_view, [Vector("idle", 1)]);

        await _store.WriteBatchAsync(_view, [Updated("idle", 10, DateTimeOffset.UtcNow.AddMinutes(-2))], TimeSpan.FromMinutes(1));

        (await _store.ReadAsync(_view, "idle")).Should().BeNull();
    }

    [Fact]
    public async Task A_view_s_own_ttl_takes_precedence_over_the_configured_one()
    {
        await _store.WriteBatchAsync(ShortLived, [Updated("e-precedence", 1, DateTimeOffset.UtcNow)], TimeSpan.FromHours(1));

        (await KeyTimeToLive(ShortLived, "e-precedence")).Should().BeGreaterThan(TimeSpan.FromMinutes(59), "the configured one second applies only to writes without a ttl");
    }

    [Fact]
    public async Task Vectors_that_expire_by_their_ttl_leave_the_view_intact_so_nothing_rebuilds_it()
    {
        await _store.WriteBatchAsync(_view, [Updated("e1", 1, DateTimeOffset.UtcNow)], TimeSpan.FromSeconds(1));
        await _store.MarkIntactAsync(_view);

        await Eventually.WaitForAsync(async () => await _store.ReadAsync(_view, "e1"), vector => vector is null, "the one-second ttl expires e1", TimeSpan.FromSeconds(10));

        (await _store.IsIntactAsync(_view)).Should().BeTrue("an expiry is no lost data: a rebuild would only write what expired again");
    }

    [Fact]
    public void A_configured_ttl_of_zero_or_less_is_a_configuration_error_not_a_store_that_drops_every_write()
    {
        var options = new RedisOnlineStoreOptions { TimeToLive = { ["v"] = TimeSpan.Zero }, DefaultTimeToLive = TimeSpan.FromSeconds(-1) };

        RedisConnection.Errors(options, "Cascade:Redis").Should().Contain(e => e.StartsWith("Cascade:Redis:TimeToLive:v "))
            .And.Contain(e => e.StartsWith("Cascade:Redis:DefaultTimeToLive "));
        RedisConnection.Errors(new RedisOnlineStoreOptions { DefaultTimeToLive = TimeSpan.FromDays(1) }, "Cascade:Redis").Should().BeEmpty();
    }

    [Fact]
    public async Task Reads_fail_at_once_with_unavailable_while_redis_cannot_be_reached()
    {
        // A port nothing listens on: the multiplexer starts disconnected (abortConnect=false) and keeps trying.
        using var unreachable = new RedisOnlineStore(new RedisOnlineStoreOptions { Configuration = "127.0.0.1:1,abortConnect=false,connectTimeout=200" });

        var read = async () => await unreachable.ReadAsync(_view, "e1");
        var readBatch = async () => await unreachable.ReadBatchAsync(_view, ["e1", "e2"]);

        (await read.Should().ThrowAsync<OnlineStoreUnavailableException>()).Which.Message.Should().Contain("127.0.0.1:1");
        await readBatch.Should().ThrowAsync<OnlineStoreUnavailableException>();
    }

    public void Dispose() => _store.Dispose();
}
