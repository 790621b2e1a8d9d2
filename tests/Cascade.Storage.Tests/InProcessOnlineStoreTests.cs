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
}
