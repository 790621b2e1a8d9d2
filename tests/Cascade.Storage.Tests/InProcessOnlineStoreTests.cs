using Cascade.Storage.OnlineStore;

namespace Cascade.Storage.Tests;

public class InProcessOnlineStoreTests
{
    private static FeatureVector Vector(string entity, double value) =>
        new(entity, [value, value * 2], DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow);

    [Fact]
    public async Task The_latest_write_of_an_entity_wins()
    {
        var store = new InProcessOnlineStore();
        await store.WriteBatchAsync("view", [Vector("e1", 1), Vector("e2", 2)]);
        await store.WriteBatchAsync("view", [Vector("e1", 10)]);
        (await store.ReadAsync("view", "e1"))!.Values.Should().Equal(10, 20);
        (await store.ReadAsync("view", "e2"))!.Values.Should().Equal(2, 4);
    }

    [Fact]
    public async Task Deleting_entities_removes_their_vectors_in_that_view_only_and_counts_those_it_held()
    {
        var store = new InProcessOnlineStore();
        await store.WriteBatchAsync("view", [Vector("e1", 1), Vector("e2", 2)]);
        await store.WriteBatchAsync("other-view", [Vector("e1", 3)]);

        (await store.DeleteAsync("view", ["e1", "unknown"])).Should().Be(1);

        (await store.ReadAsync("view", "e1")).Should().BeNull();
        (await store.ReadAsync("view", "e2")).Should().NotBeNull();
        (await store.ReadAsync("other-view", "e1")).Should().NotBeNull();
        (await store.DeleteAsync("view", ["e1"])).Should().Be(0, "erasing again finds nothing");
        (await store.DeleteAsync("no-such-view", ["e1"])).Should().Be(0);
    }

    [Fact]
    public async Task Batch_reads_return_one_slot_per_entity_with_null_for_unknown_ones()
    {
        var store = new InProcessOnlineStore();
        await store.WriteBatchAsync("view", [Vector("e1", 1)]);
        var result = await store.ReadBatchAsync("view", ["e1", "missing"]);
        result.Should().HaveCount(2);
        result[0]!.EntityId.Should().Be("e1");
        result[1].Should().BeNull();
        (await store.ReadBatchAsync("other-view", ["e1"]))[0].Should().BeNull("views are separate");
    }

    private static FeatureVector Updated(string entity, double value, DateTimeOffset updatedAt) =>
        new(entity, [value], DateTimeOffset.UnixEpoch, updatedAt);

    [Fact]
    public async Task A_vector_is_absent_once_its_time_to_live_has_passed_since_it_was_updated()
    {
        var store = new InProcessOnlineStore();
        var ttl = TimeSpan.FromSeconds(1);
        await store.WriteBatchAsync("view", [Updated("fresh", 1, DateTimeOffset.UtcNow)], ttl);

        (await store.ReadAsync("view", "fresh")).Should().NotBeNull();
        await Eventually.WaitUntilAsync(async () => await store.ReadAsync("view", "fresh") is null, "the one-second ttl expires the vector", TimeSpan.FromSeconds(10));
        (await store.ReadBatchAsync("view", ["fresh"]))[0].Should().BeNull();
        (await store.DeleteAsync("view", ["fresh"])).Should().Be(0, "an expired vector is gone: erasing it finds nothing");
    }

    [Fact]
    public async Task A_vector_written_after_its_time_to_live_ran_out_is_dropped_not_stored()
    {
        // What a rebuild does with an entity idle for longer than the ttl: it passes the vector's first write time.
        var store = new InProcessOnlineStore();
        await store.WriteBatchAsync("view", [Updated("e1", 1, DateTimeOffset.UtcNow), Updated("e2", 2, DateTimeOffset.UtcNow)]);

        await store.WriteBatchAsync("view", [Updated("e1", 10, DateTimeOffset.UtcNow.AddMinutes(-2)), Updated("e2", 20, DateTimeOffset.UtcNow.AddSeconds(-30))], TimeSpan.FromMinutes(1));

        var read = await store.ReadBatchAsync("view", ["e1", "e2"]);
        read[0].Should().BeNull("its earlier vector is dropped too: the entity was not updated within the ttl");
        read[1]!.Values.Should().Equal(20);
    }

    [Fact]
    public async Task Without_a_time_to_live_a_vector_is_kept_however_old()
    {
        var store = new InProcessOnlineStore();
        await store.WriteBatchAsync("view", [Updated("e1", 1, DateTimeOffset.UnixEpoch)]);
        await store.WriteBatchAsync("view", [Updated("e2", 2, DateTimeOffset.UtcNow)], TimeSpan.MaxValue);

        (await store.ReadAsync("view", "e1")).Should().NotBeNull();
        (await store.ReadAsync("view", "e2")).Should().NotBeNull("a ttl past the end of the calendar means never");
    }

    [Fact]
    public async Task A_rewrite_starts_the_time_to_live_again()
    {
        var store = new InProcessOnlineStore();
        var ttl = TimeSpan.FromSeconds(2);
        await store.WriteBatchAsync("view", [Updated("kept", 1, DateTimeOffset.UtcNow), Updated("idle", 2, DateTimeOffset.UtcNow)], ttl);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await store.WriteBatchAsync("view", [Updated("kept", 10, DateTimeOffset.UtcNow)], ttl);

        await Eventually.WaitUntilAsync(async () => await store.ReadAsync("view", "idle") is null, "the vector not rewritten expires", TimeSpan.FromSeconds(10));
        (await store.ReadAsync("view", "kept"))!.Values.Should().Equal([10], "its ttl counts from the rewrite, a second later");
        await Eventually.WaitUntilAsync(async () => await store.ReadAsync("view", "kept") is null, "the rewritten vector expires in its turn", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_time_to_live_of_zero_or_less_is_refused()
    {
        var store = new InProcessOnlineStore();
        var write = async () => await store.WriteBatchAsync("view", [Vector("e1", 1)], TimeSpan.Zero);
        await write.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }
}
