using System.Diagnostics;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.Tests;
using Npgsql;
using Xunit.Abstractions;

namespace Cascade.Infrastructure.Tests;

/// <summary>
/// Retention of the offline store on the local PostgreSQL: the same behaviour as the SQLite one
/// (<see cref="OfflineRetentionContract"/>), plus what several writers and replicas on one server have to show, each
/// test in a database of its own.
/// </summary>
public sealed class PostgresOfflineRetentionTests : OfflineRetentionContract
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _database = Servers.Unique("retention").Replace('-', '_');
    private readonly string _connectionString;
    private readonly ITestOutputHelper _output;

    public PostgresOfflineRetentionTests(ITestOutputHelper output)
    {
        _output = output;
        using var connection = new NpgsqlConnection(Admin);
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
        create.ExecuteNonQuery();
        _connectionString = $"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database={_database}";
    }

    private static string Admin => $"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database=postgres";

    protected override IOfflineStore Create() => new PostgresOfflineStore(_connectionString);

    protected override void DeleteStorage()
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(Admin);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }

    private static OfflineFeatureRow Row(int partition, long offset, int minute, double? label) =>
        new($"e{offset % 13}", Start.AddMinutes(minute), partition, offset, [offset], label);

    [Fact]
    public async Task Two_replicas_sweeping_at_once_while_a_writer_appends_delete_each_row_once_and_keep_every_new_one()
    {
        var (first, second, writer) = ((IOfflineRetentionStore)Open(), (IOfflineRetentionStore)Open(), Open());
        var old = Enumerable.Range(0, 3_000).Select(i => Row(i % 3, i / 3, i % 500, i % 4 == 0 ? null : 1)).ToArray();
        await writer.AppendAsync("v", 1, old);
        var hold = new OfflineHold(new Dictionary<int, long> { [0] = 600, [1] = 600, [2] = 600 }, Start.AddMinutes(400));
        var rule = new OfflineRetentionRule(Start.AddMinutes(450), [hold]);
        // Young rows of the same view version arrive throughout, interleaved with the sweeps' batches.
        var young = Enumerable.Range(0, 2_000).Select(i => Row(i % 3, 1_000 + i / 3, 10_000 + i, 1)).ToArray();

        var sweeps = new[] { first, second }.Select(store => Task.Run(() => SweepAsync(store, "v", 1, rule, batchSize: 100))).ToArray();
        foreach (var chunk in young.Chunk(100)) await writer.AppendAsync("v", 1, chunk);
        var results = await Task.WhenAll(sweeps);

        var expectedGone = old.Where(rule.Deletes).ToArray();
        expectedGone.Should().NotBeEmpty();
        results.Sum(r => r.Deleted).Should().Be(expectedGone.Length, "a row both replicas tried to delete is counted by the one that did");
        results.Sum(r => r.Labeled).Should().Be(expectedGone.Count(r => r.Label is not null));
        var everything = new Dictionary<int, long> { [0] = long.MaxValue, [1] = long.MaxValue, [2] = long.MaxValue };
        var left = await writer.ReadAsync("v", 1, everything, labeledOnly: false);
        left.Select(r => (r.Partition, r.Offset)).Should().BeEquivalentTo(old.Where(r => !rule.Deletes(r)).Concat(young).Select(r => (r.Partition, r.Offset)));
        (await writer.CountLabeledAsync("v", 1)).Should().Be(old.Count(r => r.Label is not null) + young.Length, "labeled rows retention deleted are counted once, by the replica that deleted them");
    }

    /// <summary>
    /// A pass's cost on both stores: 100,000 rows of 10 features, a held window of the newest 10,001 labeled rows, every
    /// row past the age. Prints where the window starts (a top-N over event times), the whole sweep, and the longest
    /// batch: how long a writer can wait behind retention.
    /// </summary>
    [Fact]
    public async Task A_pass_over_a_hundred_thousand_rows_keeps_the_window_and_deletes_the_rest_in_short_batches()
    {
        const int rows = 100_000, batchSize = 1_000;
        var all = Enumerable.Range(0, rows)
            .Select(i => new OfflineFeatureRow($"device-{i % 500:D4}", Start.AddSeconds(i), i % 4, i / 4, Enumerable.Range(0, 10).Select(f => i * 0.1 + f).ToArray(), i % 10 == 0 ? null : i % 2))
            .ToArray();
        var watermark = new Dictionary<int, long> { [0] = rows / 4, [1] = rows / 4, [2] = rows / 4, [3] = rows / 4 };
        var directory = Directory.CreateTempSubdirectory("cascade-retention-bench-").FullName;
        try
        {
            using var postgres = new PostgresOfflineStore(_connectionString);
            using var sqlite = new SqliteOfflineStore(Path.Combine(directory, "offline.db"));
            foreach (var (name, store) in new (string, IOfflineStore)[] { ("postgres", postgres), ("sqlite", sqlite) })
            {
                foreach (var chunk in all.Chunk(10_000)) await store.AppendAsync("v", 1, chunk);
                var retention = (IOfflineRetentionStore)store;
                var window = await store.ReadLatestAsync("v", 1, watermark, labeledOnly: true, limit: 10_001);

                var clock = Stopwatch.StartNew();
                var since = await retention.WindowStartAsync("v", 1, watermark, labeledOnly: true, size: 10_001);
                var located = clock.Elapsed.TotalMilliseconds;
                var rule = new OfflineRetentionRule(DateTimeOffset.MaxValue, [new OfflineHold(watermark, since)]);
                var batches = new List<double>();
                var deleted = 0;
                OfflineRowKey? after = null;
                clock.Restart();
                do
                {
                    var batch = Stopwatch.StartNew();
                    var done = await retention.DeleteExpiredAsync("v", 1, rule, after, batchSize);
                    batches.Add(batch.Elapsed.TotalMilliseconds);
                    deleted += done.Deleted;
                    after = done.Next;
                }
                while (after is not null);
                var swept = clock.Elapsed.TotalMilliseconds;

                deleted.Should().Be(rows - window.Count);
                (await store.ReadLatestAsync("v", 1, watermark, labeledOnly: true, limit: 10_001)).Select(r => (r.Partition, r.Offset)).Should().Equal(window.Select(r => (r.Partition, r.Offset)));
                batches.Sort();
                _output.WriteLine($"{name}: window start over {rows:N0} rows {located:F0} ms; sweep {batches.Count} batches of {batchSize:N0} in {swept:F0} ms = {deleted / swept * 1000:N0} rows deleted/s; batch median {batches[batches.Count / 2]:F1} ms, max {batches[^1]:F1} ms");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
