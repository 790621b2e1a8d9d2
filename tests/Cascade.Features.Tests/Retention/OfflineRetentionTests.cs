using Cascade.Contracts.Features.V1;
using Cascade.EventLog.Embedded;
using Cascade.Features.Erasure;
using Cascade.Features.Options;
using Cascade.Features.Retention;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Features.Tests.Retention;

/// <summary>
/// A retention pass over a real embedded offline store: rows past the rules go, the training windows of kept versions
/// stay (read back as their jobs read them), a version whose artifact was collected stops holding, and a pass that
/// cannot learn the kept versions deletes nothing.
/// </summary>
public sealed class OfflineRetentionTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<int, long> Everything = new() { [0] = long.MaxValue, [1] = long.MaxValue };
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-offline-retention-").FullName;
    private readonly FeatureStateStore _states;
    private readonly SqliteOfflineStore _offline;
    private readonly EntityErasures _erasures;
    private Func<IReadOnlyList<KeptVersion>> _kept = () => [];
    private int _asked;

    public OfflineRetentionTests()
    {
        _states = new FeatureStateStore(Path.Combine(_data, "features.db"));
        _offline = new SqliteOfflineStore(Path.Combine(_data, "offline.db"));
        _erasures = new EntityErasures(_states);
        _states.Apply(new FeatureViewSpec { Name = "v", Dataset = "d", Passthrough = { "x" } });
    }

    public void Dispose()
    {
        _offline.Dispose();
        _states.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private sealed class KeptVersions(OfflineRetentionTests test) : IKeptVersions
    {
        public Task<IReadOnlyList<KeptVersion>> ListAsync(CancellationToken cancellationToken)
        {
            test._asked++;
            return Task.FromResult(test._kept());
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A pass at <c>Start + 1000 minutes</c>.</summary>
    private OfflineRetention Retention(OfflineRetentionOptions options) =>
        new(_offline, _states, new KeptVersions(this), _erasures, options, new FixedTime(Start.AddMinutes(1000)), NullLogger<OfflineRetention>.Instance);

    /// <summary>200 rows of view v@1 over two partitions, a minute apart from <see cref="Start"/>, every fourth unlabeled.</summary>
    private async Task<OfflineFeatureRow[]> AppendAsync()
    {
        var rows = Enumerable.Range(0, 200).Select(i => new OfflineFeatureRow($"e{i % 7}", Start.AddMinutes(i), i % 2, i / 2, [i], i % 4 == 0 ? null : i % 3)).ToArray();
        await _offline.AppendAsync("v", 1, rows);
        return rows;
    }

    private static KeptVersion Kept(int version, long cap, long end) => new("m", version, "v", 1, new Dictionary<int, long> { [0] = end, [1] = end }, cap);

    private async Task<(int, long)[]> StoredAsync() => [.. (await _offline.ReadAsync("v", 1, Everything, labeledOnly: false)).Select(r => (r.Partition, r.Offset))];

    [Fact]
    public async Task A_kept_versions_training_window_stays_and_reads_back_as_its_job_read_it_while_everything_else_past_the_rules_goes()
    {
        await AppendAsync();
        var kept = Kept(1, cap: 20, end: 60);
        var watermark = kept.Watermark;
        _kept = () => [kept];
        // What the job read: the newest cap + 1 labeled rows below its watermark (TrainingSets.ReadAsync).
        var read = await _offline.ReadLatestAsync("v", 1, watermark, labeledOnly: true, limit: 21);

        var report = await Retention(new OfflineRetentionOptions { MaxAge = TimeSpan.FromMinutes(100) }).RunPassAsync();

        (report.KeptVersions, report.Windows, report.ViewVersions).Should().Be((1, 1, 1));
        report.RowsDeleted.Should().Be(200 - 21, "every row is older than 100 minutes; only the window is held");
        (await StoredAsync()).Should().Equal(read.Select(r => (r.Partition, r.Offset)));
        (await _offline.ReadLatestAsync("v", 1, watermark, labeledOnly: true, limit: 21)).Select(r => r.Values[0]).Should().Equal(read.Select(r => r.Values[0]));
        (await _offline.CountLabeledAsync("v", 1)).Should().Be(150, "rows retention deleted still count for training triggers");
    }

    [Fact]
    public async Task A_version_whose_artifact_was_collected_no_longer_holds_its_rows()
    {
        await AppendAsync();
        var (older, newer) = (Kept(1, cap: 20, end: 40), Kept(2, cap: 20, end: 90));
        _kept = () => [older, newer];
        var retention = Retention(new OfflineRetentionOptions { MaxAge = TimeSpan.FromMinutes(100) });
        var olderRead = await _offline.ReadLatestAsync("v", 1, older.Watermark, labeledOnly: true, limit: 21);
        var newerRead = await _offline.ReadLatestAsync("v", 1, newer.Watermark, labeledOnly: true, limit: 21);
        olderRead.Select(r => r.Offset).Max().Should().BeLessThan(newerRead.Select(r => r.Offset).Min(), "the two windows do not overlap");

        (await retention.RunPassAsync()).RowsDeleted.Should().Be(200 - 42);
        _kept = () => [newer]; // the registry collected v1's artifact

        (await retention.RunPassAsync()).RowsDeleted.Should().Be(21);

        (await StoredAsync()).Should().Equal(newerRead.Select(r => (r.Partition, r.Offset)));
    }

    [Fact]
    public async Task A_version_that_read_every_labeled_row_holds_all_of_them_below_its_watermark_and_no_unlabeled_row()
    {
        var rows = await AppendAsync();
        _kept = () => [Kept(1, cap: 0, end: 60)];

        await Retention(new OfflineRetentionOptions { MaxAge = TimeSpan.FromMinutes(100) }).RunPassAsync();

        (await StoredAsync()).Should().Equal(rows.Where(r => r.Offset < 60 && r.Label is not null).Select(r => (r.Partition, r.Offset)).Order());
    }

    [Fact]
    public async Task A_pass_that_cannot_list_the_kept_versions_deletes_nothing()
    {
        await AppendAsync();
        _kept = () => throw new InvalidOperationException("registry unreachable");

        var pass = () => Retention(new OfflineRetentionOptions { MaxAge = TimeSpan.FromMinutes(1) }).RunPassAsync();

        (await pass.Should().ThrowAsync<HoldsUnavailableException>()).WithMessage("*deleted nothing*registry unreachable*");
        (await StoredAsync()).Should().HaveCount(200);
    }

    [Fact]
    public async Task Retention_is_off_by_default_and_then_never_asks_the_registry()
    {
        await AppendAsync();

        var report = await Retention(new OfflineRetentionOptions()).RunPassAsync();

        report.RowsDeleted.Should().Be(0);
        _asked.Should().Be(0);
        (await StoredAsync()).Should().HaveCount(200);
    }

    [Fact]
    public async Task The_age_rule_keeps_younger_rows_and_the_count_rule_the_newest_of_each_view_version()
    {
        await AppendAsync();
        var byAge = Retention(new OfflineRetentionOptions { MaxAge = TimeSpan.FromMinutes(850) }); // rows from minute 150 stay

        (await byAge.RunPassAsync()).RowsDeleted.Should().Be(150);
        (await StoredAsync()).Should().HaveCount(50);

        var byCount = Retention(new OfflineRetentionOptions { KeepNewestRows = 30 });
        (await byCount.RunPassAsync()).RowsDeleted.Should().Be(20);
        (await _offline.ReadAsync("v", 1, Everything, labeledOnly: false)).Select(r => r.EventTime).Should().OnlyContain(t => t >= Start.AddMinutes(170));

        var both = Retention(new OfflineRetentionOptions { MaxAge = TimeSpan.FromMinutes(1), KeepNewestRows = 10 });
        (await both.RunPassAsync()).RowsDeleted.Should().Be(20, "with both rules a row goes once both let it go");
        (await StoredAsync()).Should().HaveCount(10);
        (await byCount.RunPassAsync()).RowsDeleted.Should().Be(0, "no more rows than the count rule keeps");
    }

    [Fact]
    public async Task After_an_erasure_a_window_is_found_again_and_keeps_what_its_version_would_read_now()
    {
        await AppendAsync();
        var kept = Kept(1, cap: 20, end: 60);
        _kept = () => [kept];
        var retention = Retention(new OfflineRetentionOptions { KeepNewestRows = 200 });
        (await retention.RunPassAsync()).RowsDeleted.Should().Be(0, "no more rows than the count rule keeps; the window's start is found and remembered");
        var newest = (await _offline.ReadLatestAsync("v", 1, kept.Watermark, labeledOnly: true, limit: 21)).MaxBy(r => r.EventTime)!;

        // Erased rows leave the window: reading it now reaches older rows, which must then stay.
        await using (var log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db") }))
        {
            await new EntityEraser(_states, _erasures, new InProcessOnlineStore(), _offline, log).EraseAsync("d", newest.EntityId, CancellationToken.None);
        }
        var window = await _offline.ReadLatestAsync("v", 1, kept.Watermark, labeledOnly: true, limit: 21);
        // 200 newer rows: the count rule now lets every older row go that no window holds.
        await _offline.AppendAsync("v", 1, [.. Enumerable.Range(200, 200).Select(i => new OfflineFeatureRow("late", Start.AddMinutes(i), i % 2, i / 2, [i], 1))]);

        (await retention.RunPassAsync()).RowsDeleted.Should().BeGreaterThan(100);

        (await _offline.ReadLatestAsync("v", 1, kept.Watermark, labeledOnly: true, limit: 21)).Select(r => (r.Partition, r.Offset)).Should().Equal(window.Select(r => (r.Partition, r.Offset)));
    }
}
