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
