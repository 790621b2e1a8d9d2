using Cascade.Storage.OfflineStore;

namespace Cascade.Storage.Tests;

/// <summary>
/// What every <see cref="IOfflineRetentionStore"/> must do, run against each store: SQLite here
/// (<see cref="SqliteOfflineRetentionTests"/>) and PostgreSQL against the real server
/// (tests/Cascade.Infrastructure.Tests, which compiles this file too). The central promise: after any pass, the
/// window a held training job read is read back row for row.
/// </summary>
public abstract class OfflineRetentionContract : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<IOfflineStore> _opened = [];

    /// <summary>A new store over the same storage every time.</summary>
    protected abstract IOfflineStore Create();

    /// <summary>Removes the storage once every store this test opened is disposed.</summary>
    protected virtual void DeleteStorage()
    {
    }

    protected IOfflineStore Open()
    {
        var store = Create();
        _opened.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _opened) (store as IDisposable)?.Dispose();
        DeleteStorage();
        GC.SuppressFinalize(this);
    }

    /// <summary>A row whose event time is <paramref name="minute"/> minutes after the start.</summary>
    private static OfflineFeatureRow Row(int partition, long offset, int minute, double? label) =>
        new($"e{partition}-{offset}", Start.AddMinutes(minute), partition, offset, [offset, minute], label);

    private static Dictionary<int, long> Watermark(params (int Partition, long End)[] ends) => ends.ToDictionary(e => e.Partition, e => e.End);

    private static readonly Dictionary<int, long> Everything = Watermark((0, long.MaxValue), (1, long.MaxValue), (2, long.MaxValue));

    private static (int, long) Key(OfflineFeatureRow row) => (row.Partition, row.Offset);

    /// <summary>Every batch of a pass over one view version, until the last row was examined.</summary>
    protected static async Task<(int Deleted, int Labeled, int Batches)> SweepAsync(IOfflineRetentionStore store, string view, int version, OfflineRetentionRule rule, int batchSize)
    {
        var (deleted, labeled, batches) = (0, 0, 0);
        OfflineRowKey? after = null;
        do
        {
            var batch = await store.DeleteExpiredAsync(view, version, rule, after, batchSize);
            batch.Deleted.Should().BeLessThanOrEqualTo(batchSize);
            (deleted, labeled, batches) = (deleted + batch.Deleted, labeled + batch.DeletedLabeled, batches + 1);
            after = batch.Next;
        }
        while (after is not null);
        return (deleted, labeled, batches);
    }

    [Fact]
    public async Task Rows_older_than_the_cutoff_go_in_bounded_batches_and_the_rest_stay()
    {
        var offline = Open();
        var retention = (IOfflineRetentionStore)offline;
        // 60 rows over two partitions, a minute apart, every third unlabeled.
        await offline.AppendAsync("v", 1, [.. Enumerable.Range(0, 60).Select(i => Row(i % 2, i / 2, i, i % 3 == 0 ? null : 1))]);
        await offline.AppendAsync("v", 2, [.. Enumerable.Range(0, 60).Select(i => Row(i % 2, i / 2, i, 1))]);

        var (deleted, labeled, batches) = await SweepAsync(retention, "v", 1, new OfflineRetentionRule(Start.AddMinutes(40), []), batchSize: 7);

        deleted.Should().Be(40, "rows at minutes 0–39");
        labeled.Should().Be(Enumerable.Range(0, 40).Count(i => i % 3 != 0));
        batches.Should().Be(9, "60 rows, 7 examined per batch");
        var left = await offline.ReadAsync("v", 1, Everything, labeledOnly: false);
        left.Select(r => r.EventTime).Should().OnlyContain(t => t >= Start.AddMinutes(40)).And.HaveCount(20);
        (await offline.ReadAsync("v", 2, Everything, labeledOnly: false)).Should().HaveCount(60, "another version of the view is another sweep");
    }

    [Fact]
    public async Task A_hold_keeps_its_windows_labeled_rows_whatever_their_age_and_nothing_else()
    {
        var offline = Open();
        var retention = (IOfflineRetentionStore)offline;
        // Partition 0: offsets 0–19 at minutes 0–19; partition 1 the same. Every fifth row is unlabeled.
        await offline.AppendAsync("v", 1, [.. Enumerable.Range(0, 40).Select(i => Row(i / 20, i % 20, i % 20, i % 5 == 0 ? null : 1))]);
        var hold = new OfflineHold(Watermark((0, 15), (1, 10)), Since: Start.AddMinutes(5));

        await SweepAsync(retention, "v", 1, new OfflineRetentionRule(DateTimeOffset.MaxValue, [hold]), batchSize: 4);

        var left = await offline.ReadAsync("v", 1, Everything, labeledOnly: false);
        left.Select(Key).Should().Equal(
            Enumerable.Range(6, 9).Where(o => o % 5 != 0).Select(o => (0, (long)o))
                .Concat(Enumerable.Range(6, 4).Where(o => o % 5 != 0).Select(o => (1, (long)o))),
            "labeled, below the hold's watermark and at or after its start; unlabeled rows, older rows and rows past the watermark go");
    }

    [Fact]
    public async Task A_pass_deletes_exactly_the_rows_its_rule_lets_go()
    {
        for (var seed = 1; seed <= 5; seed++)
        {
            var offline = Open();
            var retention = (IOfflineRetentionStore)offline;
            var random = new Random(seed);
            var view = $"v{seed}";
            // Event times out of offset order, as late records make them.
            var rows = Enumerable.Range(0, 300).Select(i => Row(i % 3, i / 3, random.Next(0, 200), random.Next(4) == 0 ? null : random.Next(2))).ToArray();
            await offline.AppendAsync(view, 1, rows);
            var holds = Enumerable.Range(0, random.Next(0, 4)).Select(_ => new OfflineHold(
                Watermark((0, random.Next(0, 100)), (2, random.Next(0, 100))),
                random.Next(3) == 0 ? null : Start.AddMinutes(random.Next(0, 200)))).ToArray();
            var rule = new OfflineRetentionRule(Start.AddMinutes(random.Next(50, 220)), holds);

            var (deleted, labeled, _) = await SweepAsync(retention, view, 1, rule, batchSize: random.Next(1, 40));

            var expected = rows.Where(r => !rule.Deletes(r)).Select(Key).Order().ToArray();
            (await offline.ReadAsync(view, 1, Everything, labeledOnly: false)).Select(Key).Should().Equal(expected, $"seed {seed}");
            deleted.Should().Be(rows.Length - expected.Length);
            labeled.Should().Be(rows.Count(r => r.Label is not null && rule.Deletes(r)));
        }
    }

    [Fact]
    public async Task A_held_training_window_reads_back_row_for_row_after_a_pass()
    {
        var offline = Open();
        var retention = (IOfflineRetentionStore)offline;
        var random = new Random(7);
        await offline.AppendAsync("v", 1, [.. Enumerable.Range(0, 600).Select(i => Row(i % 3, i / 3, i + random.Next(-30, 30), random.Next(5) == 0 ? null : 1))]);
        var watermark = Watermark((0, 150), (1, 120), (2, 160));
        // The job read the newest 101 labeled rows below its watermark (a cap of 100, read as the worker reads it).
        var before = await offline.ReadLatestAsync("v", 1, watermark, labeledOnly: true, limit: 101);
        var since = await retention.WindowStartAsync("v", 1, watermark, labeledOnly: true, size: 101);

        var (deleted, _, _) = await SweepAsync(retention, "v", 1, new OfflineRetentionRule(DateTimeOffset.MaxValue, [new OfflineHold(watermark, since)]), batchSize: 50);

        deleted.Should().BeGreaterThan(400, "everything but the window goes");
        var after = await offline.ReadLatestAsync("v", 1, watermark, labeledOnly: true, limit: 101);
        after.Select(Key).Should().Equal(before.Select(Key));
        after.Select(r => r.Values).Should().BeEquivalentTo(before.Select(r => r.Values), o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task The_window_start_is_the_oldest_event_time_of_the_rows_ReadLatest_returns()
    {
        var offline = Open();
        var retention = (IOfflineRetentionStore)offline;
        var random = new Random(3);
        await offline.AppendAsync("v", 1, [.. Enumerable.Range(0, 200).Select(i => Row(i % 2, i / 2, random.Next(0, 60), random.Next(3) == 0 ? null : 1))]);
        var watermark = Watermark((0, 80), (1, 50));

        var labeledBelow = (await offline.ReadAsync("v", 1, watermark, labeledOnly: true)).Count;
        foreach (var size in new[] { 1, 2, 10, 57, labeledBelow })
        {
            var latest = await offline.ReadLatestAsync("v", 1, watermark, labeledOnly: true, limit: size);
            latest.Should().HaveCount(size);
            (await retention.WindowStartAsync("v", 1, watermark, labeledOnly: true, size)).Should().Be(latest.Min(r => r.EventTime), $"size {size}");
        }
        (await retention.WindowStartAsync("v", 1, watermark, labeledOnly: true, labeledBelow + 1)).Should().BeNull("fewer rows than the window: it holds all of them");
        (await retention.WindowStartAsync("v", 1, null, labeledOnly: false, 200)).Should().Be(Start, "every row, labeled or not: the oldest");
        (await retention.WindowStartAsync("v", 1, Watermark(), labeledOnly: false, 1)).Should().BeNull();
        (await retention.WindowStartAsync("none", 1, null, labeledOnly: false, 1)).Should().BeNull();
    }

    [Fact]
    public async Task Labeled_rows_retention_deleted_still_count_and_erased_ones_do_not()
    {
        var offline = Open();
        var retention = (IOfflineRetentionStore)offline;
        await offline.AppendAsync("v", 1, [.. Enumerable.Range(0, 30).Select(i => Row(0, i, i, i % 3 == 0 ? null : 1))]);
        (await offline.CountLabeledAsync("v", 1)).Should().Be(20);

        var (_, labeled, _) = await SweepAsync(retention, "v", 1, new OfflineRetentionRule(Start.AddMinutes(15), []), batchSize: 4);

        labeled.Should().Be(10);
        (await offline.CountLabeledAsync("v", 1)).Should().Be(20, "training triggers count labeled rows taken; retention must not make the count fall");
        (await offline.AppendAsync("v", 1, [Row(0, 30, 30, 1)])).Should().Be(1);
        (await offline.CountLabeledAsync("v", 1)).Should().Be(21);
        (await offline.DeleteEntityAsync("v", "e0-16")).Should().Be(1);
        (await offline.CountLabeledAsync("v", 1)).Should().Be(20, "an erased row no longer counts");
        (await offline.CountLabeledAsync("v", 2)).Should().Be(0);
    }
}
