using Cascade.Storage.OnlineStore;
using Cascade.Storage.Redis;

namespace Cascade.Infrastructure.Tests;

/// <summary>The Redis online store against the local Redis: whole vectors, batched reads, TTL per view.</summary>
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
    public async Task Views_are_separate_and_a_view_s_ttl_expires_its_vectors()
    {
        await _store.WriteBatchAsync(ShortLived, [Vector("e1", 1)]);
        await _store.WriteBatchAsync(_view, [Vector("e1", 2)]);
        (await _store.ReadAsync(ShortLived, "e1"))!.Values.Should().Equal(1);

        await Task.Delay(TimeSpan.FromSeconds(2));

        (await _store.ReadAsync(ShortLived, "e1")).Should().BeNull("the view's TTL is one second");
        (await _store.ReadAsync(_view, "e1"))!.Values.Should().Equal(2);
    }

    public void Dispose() => _store.Dispose();
}
