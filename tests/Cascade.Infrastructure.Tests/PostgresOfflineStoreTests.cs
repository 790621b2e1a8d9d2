using System.Diagnostics;
using Cascade.Hosting;
using Cascade.Registry.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.Tests;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Cascade.Infrastructure.Tests;

/// <summary>
/// The offline store on the local PostgreSQL: the same behaviour as the SQLite one (<see cref="OfflineStoreContract"/>),
/// plus what only a server-backed store has to show, each test in a database of its own.
/// </summary>
public sealed class PostgresOfflineStoreTests : OfflineStoreContract
{
    private readonly string _database = Servers.Unique("offline").Replace('-', '_');
    private readonly string _connectionString;
    private readonly ITestOutputHelper _output;

    public PostgresOfflineStoreTests(ITestOutputHelper output)
    {
        _output = output;
        using (var connection = new NpgsqlConnection(Admin))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            create.ExecuteNonQuery();
        }
        _connectionString = $"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database={_database}";
    }

    private static string Admin => $"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database=postgres";

    protected override IOfflineStore Create() => new PostgresOfflineStore(_connectionString);

    [Fact]
    public async Task Migrations_are_applied_once_and_the_tables_share_a_database_with_the_registrys()
    {
        using var registry = new PostgresRegistryStore(_connectionString);
        var replicas = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new PostgresOfflineStore(_connectionString))));
        try
        {
            replicas.Should().OnlyContain(r => r.SchemaVersion == 3, "replicas starting at once migrate once (every migration)");
            registry.SchemaVersion.Should().Be(5, "the registry keeps its own migrations");
            (await replicas[0].AppendAsync("v", 1, [Row(0, 0, 1)])).Should().Be(1);
            (await replicas[3].CountLabeledAsync("v", 1)).Should().Be(1);
        }
        finally
        {
            foreach (var replica in replicas) replica.Dispose();
        }
    }

    [Fact]
    public async Task Configuration_selects_the_postgres_store_in_the_configured_database()
    {
        var options = new InfrastructureOptions { OfflineStore = "postgres", Postgres = _connectionString };
        await using var provider = new ServiceCollection().AddCascadeInfrastructure(options, Path.GetTempPath()).BuildServiceProvider();

        var store = provider.GetRequiredService<IOfflineStore>();

        store.Should().BeOfType<PostgresOfflineStore>();
        await store.AppendAsync("v", 1, [Row(0, 0, 1)]);
        using var direct = new PostgresOfflineStore(_connectionString);
        (await direct.CountLabeledAsync("v", 1)).Should().Be(1);
    }

    [Fact]
    public void An_unknown_offline_store_is_refused_naming_the_setting_and_the_choices()
    {
        var refuse = () => new ServiceCollection().AddCascadeInfrastructure(new InfrastructureOptions { OfflineStore = "postgresql" }, Path.GetTempPath());

        refuse.Should().Throw<ArgumentException>().WithMessage("*Cascade:Infrastructure:OfflineStore*'postgresql'*sqlite, postgres*");
    }

    /// <summary>The append path's cost: 10,000 rows of 10 features, new and redelivered, against SQLite on this machine's disk.</summary>
    [Fact]
    public async Task Ten_thousand_new_rows_are_all_added_and_their_redelivery_adds_none()
    {
        const int rows = 10_000, rounds = 5;
        static OfflineFeatureRow[] Batch(int round) => Enumerable.Range(0, rows)
            .Select(i => new OfflineFeatureRow($"device-{i % 500:D4}", DateTimeOffset.UnixEpoch.AddSeconds(i), i % 4, round * rows / 4 + i / 4, Enumerable.Range(0, 10).Select(f => i * 0.1 + f).ToArray(), i % 10 == 0 ? null : i % 2))
            .ToArray();
        var directory = Directory.CreateTempSubdirectory("cascade-offline-bench-").FullName;
        try
        {
            using var postgres = new PostgresOfflineStore(_connectionString);
            using var sqlite = new SqliteOfflineStore(Path.Combine(directory, "offline.db"));
            foreach (var (name, store) in new (string, IOfflineStore)[] { ("postgres", postgres), ("sqlite", sqlite) })
            {
                await store.AppendAsync("warm-up", 1, Batch(0)); // JIT, pools, the first pages
                var times = new List<double>();
                for (var round = 0; round < rounds; round++)
                {
                    var batch = Batch(round);
                    var clock = Stopwatch.StartNew();
                    var added = await store.AppendAsync("v", 1, batch);
                    times.Add(clock.Elapsed.TotalMilliseconds);
                    added.Should().Be(batch.Count(r => r.Label != null));
                }
                var replay = Stopwatch.StartNew();
                (await store.AppendAsync("v", 1, Batch(rounds - 1))).Should().Be(0, "a redelivered batch adds nothing");
                var replayed = replay.Elapsed.TotalMilliseconds;
                times.Sort();
                _output.WriteLine($"{name}: append {rows:N0} new rows: median {times[rounds / 2]:F0} ms (min {times[0]:F0}, max {times[^1]:F0}) = {rows / times[rounds / 2] * 1000:N0} rows/s; the same {rows:N0} redelivered: {replayed:F0} ms");
                (await store.CountLabeledAsync("v", 1)).Should().Be(rounds * Batch(0).Count(r => r.Label != null));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    protected override void DeleteStorage()
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(Admin);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }
}
