using Cascade.Storage.OfflineStore;

namespace Cascade.Storage.Tests;

/// <summary>
/// What every <see cref="IOfflineStore"/> must do, run against each implementation: SQLite here
/// (<see cref="SqliteOfflineStoreTests"/>) and PostgreSQL against the real server (tests/Cascade.Infrastructure.Tests,
/// which compiles this file too).
/// </summary>
public abstract class OfflineStoreContract : IDisposable
{
    private readonly List<IOfflineStore> _opened = [];

    /// <summary>A new store over the same storage every time, as a restarted or a second process would open it.</summary>
    protected abstract IOfflineStore Create();

    /// <summary>Removes the storage once every store this test opened is disposed.</summary>
    protected virtual void DeleteStorage()
    {
    }

    private IOfflineStore Open()
    {
        var store = Create();
        _opened.Add(store);
        return store;
    }

    private void Close(IOfflineStore store)
    {
        (store as IDisposable)?.Dispose();
        _opened.Remove(store);
    }

    public void Dispose()
    {
        foreach (var store in _opened) (store as IDisposable)?.Dispose();
        DeleteStorage();
        GC.SuppressFinalize(this);
    }

    protected static OfflineFeatureRow Row(int partition, long offset, double? label) =>
        new($"e{offset}", DateTimeOffset.UnixEpoch.AddSeconds(offset), partition, offset, [offset, -offset], label);

    private static Dictionary<int, long> Watermark(params (int Partition, long End)[] ends) => ends.ToDictionary(e => e.Partition, e => e.End);

    [Fact]
    public async Task ReadLatest_returns_the_newest_rows_by_event_time_below_the_watermark_in_partition_offset_order()
    {
        var offline = Open();
        // Event times interleave the partitions: partition 1's rows are one second newer than partition 0's at the same offset.
        OfflineFeatureRow At(int partition, long offset, double? label) =>
            new($"e{offset}", DateTimeOffset.UnixEpoch.AddSeconds(offset * 2 + partition), partition, offset, [offset, -offset], label);
        await offline.AppendAsync("v", 1, [.. Enumerable.Range(0, 10).Select(i => At(0, i, i % 3 == 0 ? null : 1))]);
        await offline.AppendAsync("v", 1, [.. Enumerable.Range(0, 10).Select(i => At(1, i, 0))]);
        var watermark = Watermark((0, 8), (1, 6));

        var latest = await offline.ReadLatestAsync("v", 1, watermark, labeledOnly: true, limit: 4);

        // Labeled and below the watermark: partition 0 offsets 1,2,4,5,7 (times 2..14), partition 1 offsets 0..5 (times 1..11).
        // Newest four: (0,7)@14, (0,5)@10, (1,5)@11, (1,4)@9.
        latest.Select(r => (r.Partition, r.Offset)).Should().Equal((0, 5L), (0, 7L), (1, 4L), (1, 5L));
        latest[1].Values.Should().Equal(7, -7);
        (await offline.ReadLatestAsync("v", 1, watermark, labeledOnly: true, limit: 100)).Select(r => (r.Partition, r.Offset))
            .Should().Equal((await offline.ReadAsync("v", 1, watermark, labeledOnly: true)).Select(r => (r.Partition, r.Offset)), "fewer rows than the limit: all of them, as ReadAsync orders them");
        (await offline.ReadLatestAsync("v", 1, watermark, labeledOnly: false, limit: 0)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_redelivered_batch_adds_no_rows_and_reports_no_new_labeled_rows()
    {
        var offline = Open();
        var batch = new[] { Row(0, 0, 1), Row(0, 1, null), Row(1, 0, 0) };

        (await offline.AppendAsync("v", 1, batch)).Should().Be(2, "two of the three rows carry a label");
        (await offline.AppendAsync("v", 1, [.. batch, Row(1, 1, 1)])).Should().Be(1, "only the new labeled row counts");

        (await offline.CountLabeledAsync("v", 1)).Should().Be(3);
        var read = await offline.ReadAsync("v", 1, Watermark((0, 10), (1, 10)), labeledOnly: false);
        read.Select(r => (r.Partition, r.Offset)).Should().Equal((0, 0L), (0, 1L), (1, 0L), (1, 1L));
        read[0].Values.Should().Equal(0, -0.0);
    }

    [Fact]
    public async Task A_read_stops_below_each_partitions_watermark_leaves_out_unnamed_partitions_and_is_ordered_by_partition_and_offset()
    {
        var offline = Open();
        // Appended out of order, over three partitions.
        await offline.AppendAsync("v", 1, [Row(1, 2, 1), Row(0, 3, 1), Row(2, 0, 1), Row(1, 0, 1), Row(0, 0, 1), Row(0, 1, 1), Row(1, 1, 1), Row(0, 2, 1)]);

        var read = await offline.ReadAsync("v", 1, Watermark((1, 2), (0, 3)), labeledOnly: false);

        read.Select(r => (r.Partition, r.Offset)).Should().Equal((0, 0L), (0, 1L), (0, 2L), (1, 0L), (1, 1L));
        (await offline.ReadAsync("v", 1, Watermark((0, 0)), labeledOnly: false)).Should().BeEmpty("the watermark's end offset is not included");
        (await offline.ReadAsync("v", 1, Watermark(), labeledOnly: false)).Should().BeEmpty();
    }

    [Fact]
    public async Task The_same_watermark_reads_the_same_training_set_after_later_rows_arrive()
    {
        var offline = Open();
        await offline.AppendAsync("v", 1, Enumerable.Range(0, 20).Select(i => Row(i % 2, i / 2, i % 3 == 0 ? null : i)).ToArray());
        var watermark = Watermark((0, 6), (1, 4));
        var before = await offline.ReadAsync("v", 1, watermark, labeledOnly: true);

        await offline.AppendAsync("v", 1, Enumerable.Range(20, 20).Select(i => Row(i % 2, i / 2, i)).ToArray());
        var after = await offline.ReadAsync("v", 1, watermark, labeledOnly: true);

        after.Select(Key).Should().Equal(before.Select(Key));
        before.Should().NotBeEmpty().And.OnlyContain(r => r.Label != null);
    }

    [Fact]
    public async Task Labeled_only_reads_and_the_count_leave_out_rows_without_a_label_and_a_zero_label_is_a_label()
    {
        var offline = Open();
        (await offline.AppendAsync("v", 1, [Row(0, 0, 0), Row(0, 1, null), Row(0, 2, 1), Row(0, 3, null)])).Should().Be(2);

        (await offline.ReadAsync("v", 1, Watermark((0, 100)), labeledOnly: true)).Select(r => r.Offset).Should().Equal(0L, 2L);
        (await offline.ReadAsync("v", 1, Watermark((0, 100)), labeledOnly: false)).Should().HaveCount(4);
        (await offline.CountLabeledAsync("v", 1)).Should().Be(2);
    }

    [Fact]
    public async Task Views_and_their_versions_keep_their_rows_apart()
    {
        var offline = Open();
        (await offline.AppendAsync("a", 1, [Row(0, 0, 1), Row(0, 1, 1)])).Should().Be(2);
        (await offline.AppendAsync("a", 2, [Row(0, 0, 1)])).Should().Be(1, "the same source record is a new row of another version");
        (await offline.AppendAsync("b", 1, [Row(0, 0, 1), Row(0, 1, 1), Row(0, 2, 1)])).Should().Be(3);

        (await offline.CountLabeledAsync("a", 1)).Should().Be(2);
        (await offline.CountLabeledAsync("a", 2)).Should().Be(1);
        (await offline.CountLabeledAsync("b", 1)).Should().Be(3);
        (await offline.CountLabeledAsync("c", 1)).Should().Be(0);
        (await offline.ReadAsync("a", 2, Watermark((0, 100)), labeledOnly: false)).Should().ContainSingle();
    }

    [Fact]
    public async Task A_row_reads_back_exactly_as_written()
    {
        var row = new OfflineFeatureRow("device-\u00e9 42", new DateTimeOffset(2026, 12, 6, 10, 11, 12, TimeSpan.FromHours(2)).AddTicks(1234567), 3, long.MaxValue - 1,
            [double.NaN, -0.0, double.Epsilon, double.MaxValue, double.NegativeInfinity, 1.0 / 3], -2.5);
        var writer = Open();
        (await writer.AppendAsync("v", 7, [row, new OfflineFeatureRow("empty", row.EventTime, 3, 5, [], null)])).Should().Be(1);
        Close(writer);

        var reader = Open(); // this process after a restart, or another one
        var read = await reader.ReadAsync("v", 7, Watermark((3, long.MaxValue)), labeledOnly: false);

        read.Should().HaveCount(2);
        read[0].Values.Should().BeEmpty();
        var back = read[1];
        (back.EntityId, back.EventTime.UtcTicks, back.Partition, back.Offset, back.Label).Should().Be((row.EntityId, row.EventTime.UtcTicks, row.Partition, row.Offset, row.Label));
        back.Values.Select(BitConverter.DoubleToInt64Bits).Should().Equal(row.Values.Select(BitConverter.DoubleToInt64Bits), "values round-trip bit for bit (NaN and -0.0 included)");
    }

    [Fact]
    public async Task Overlapping_batches_appended_at_once_store_and_count_each_labeled_row_once()
    {
        var stores = new[] { Open(), Open() };
        var rows = Enumerable.Range(0, 400).Select(i => Row(i % 4, i / 4, i % 5 == 0 ? null : 1)).ToArray();

        // Eight writers over two store instances, each appending 100 rows that overlap its neighbours' by half.
        var added = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() =>
            stores[w % 2].AppendAsync("v", 1, Enumerable.Range(w * 50, 100).Select(i => rows[i % rows.Length]).ToArray()))));

        var labeled = rows.Count(r => r.Label != null);
        added.Sum().Should().Be(labeled, "each labeled row is counted by exactly one writer");
        (await stores[0].CountLabeledAsync("v", 1)).Should().Be(labeled);
        (await stores[1].ReadAsync("v", 1, Watermark((0, 100), (1, 100), (2, 100), (3, 100)), labeledOnly: false)).Should().HaveCount(rows.Length);
    }

    [Fact]
    public async Task Writers_appending_the_same_rows_in_opposite_orders_both_finish()
    {
        var stores = new[] { Open(), Open() };
        var rows = Enumerable.Range(0, 4_000).Select(i => Row(i % 2, i / 2, 1)).ToArray();

        var added = await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(() =>
            stores[w % 2].AppendAsync("v", 1, w % 2 == 0 ? rows : rows.Reverse().ToArray()))));

        added.Sum().Should().Be(rows.Length);
    }

    [Fact]
    public async Task Erasing_an_entity_deletes_its_rows_of_every_version_of_the_view_and_nothing_else_and_a_second_erasure_deletes_nothing()
    {
        var offline = Open();
        OfflineFeatureRow Of(string entity, int partition, long offset, double? label) => new(entity, DateTimeOffset.UnixEpoch.AddSeconds(offset), partition, offset, [offset], label);
        await offline.AppendAsync("v", 1, [Of("alice", 0, 0, 1), Of("bob", 0, 1, 1), Of("alice", 0, 2, null), Of("alice", 1, 0, 0)]);
        await offline.AppendAsync("v", 2, [Of("alice", 0, 0, 1), Of("bob", 0, 1, 1)]);
        await offline.AppendAsync("other", 1, [Of("alice", 0, 0, 1)]);

        (await offline.DeleteEntityAsync("v", "alice")).Should().Be(4, "three rows of version 1 and one of version 2");

        var everything = Watermark((0, 100), (1, 100));
        (await offline.ReadAsync("v", 1, everything, labeledOnly: false)).Select(r => r.EntityId).Should().Equal("bob");
        (await offline.ReadAsync("v", 2, everything, labeledOnly: false)).Select(r => r.EntityId).Should().Equal("bob");
        (await offline.CountLabeledAsync("v", 1)).Should().Be(1, "the labeled count follows the deletion");
        (await offline.ReadAsync("other", 1, everything, labeledOnly: false)).Should().ContainSingle("another view over the same entity is erased on its own");
        (await offline.DeleteEntityAsync("v", "alice")).Should().Be(0);
        (await offline.DeleteEntityAsync("v", "nobody")).Should().Be(0);
    }

    [Fact]
    public async Task An_empty_batch_adds_nothing()
    {
        var offline = Open();
        (await offline.AppendAsync("v", 1, [])).Should().Be(0);
        (await offline.CountLabeledAsync("v", 1)).Should().Be(0);
    }

    private static (int, long, string, long, double?) Key(OfflineFeatureRow row) => (row.Partition, row.Offset, row.EntityId, row.EventTime.UtcTicks, row.Label);
}
