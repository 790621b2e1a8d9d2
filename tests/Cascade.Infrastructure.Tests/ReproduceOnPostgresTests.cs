using System.Diagnostics;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Hosting;
using Cascade.Host;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Npgsql;
using Xunit.Abstractions;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Infrastructure.Tests;

/// <summary>
/// <c>cascade models reproduce</c> against the distributed deployment's stores on the local PostgreSQL: a worker trains
/// a version from the PostgreSQL offline store and registers it in the PostgreSQL registry; the table is then rewritten
/// in another physical order (CLUSTER by entity, as maintenance may do) and the command, reading the store as the
/// workers do (<c>Cascade__Infrastructure__OfflineStore=postgres</c>), must train the same model byte for byte. Rows
/// carry missing values (NaN in the stored arrays) and, in the capped case, event times shared by ten rows each, so
/// the rows, their values and which of them a cap keeps all have to come back exactly as the job read them.
/// </summary>
public sealed class ReproduceOnPostgresTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Records = 3000;

    private readonly string _data = Directory.CreateTempSubdirectory("cascade-reproduce-postgres-").FullName;
    private readonly string _database = Servers.Unique("reproduce").Replace('-', '_');
    private string _connectionString = null!;
    private Microsoft.AspNetCore.Builder.WebApplication _host = null!;
    private GrpcChannel _channel = null!;
    private string _grpc = null!;

    public async Task InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection($"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database=postgres"))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {_database}", admin).ExecuteNonQueryAsync();
        }
        _connectionString = $"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database={_database}";
        // Registry and offline store on the server; the rest in process, so the test needs PostgreSQL alone.
        var infrastructure = new InfrastructureOptions { RegistryStore = "postgres", OfflineStore = "postgres", Postgres = _connectionString };
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data, Infrastructure = infrastructure };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        _grpc = AllInOneHost.GetAddresses(_host, options).Grpc;
        _channel = GrpcChannel.ForAddress(_grpc);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1495)]
    public async Task A_version_trained_from_the_postgres_stores_reproduces_byte_identically_after_the_table_is_rewritten_in_another_order(long maxTrainingRows)
    {
        var version = await TrainAsync(maxTrainingRows);
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            (await ScalarAsync(connection, "SELECT COUNT(*) FROM offline_rows WHERE 'NaN'::float8 = ANY(feature_values)")).Should().BeGreaterThan(0, "missing values travel as NaN");
            await ScalarAsync(connection, "CLUSTER offline_rows USING offline_rows_by_entity");
            await ScalarAsync(connection, "ANALYZE offline_rows");
            var stored = await PhysicalOrderAsync(connection);
            stored.Should().HaveCount(Records);
            stored.Should().NotBeInAscendingOrder(r => r, "the rewritten table holds the rows in entity order, not (partition, offset): only the read's ORDER BY gives the job's order back");
        }

        var reproduced = await ReproduceAsync($"readings-model/{version}");

        output.WriteLine(reproduced.ToString());
        reproduced.ExitCode.Should().Be(0, reproduced.ToString());
        reproduced.Output.Should().Contain("model.json: identical").And.Contain("every prediction identical").And.Contain("result: identical")
            .And.NotContain("cause:", "the same rows, holdout and settings were read back");
    }

    /// <summary>Ingests the rows (in several batches, so the materializer's appends interleave partitions) and waits for the version the rows trigger.</summary>
    private async Task<int> TrainAsync(long maxTrainingRows)
    {
        var dataset = new DatasetSpec { Name = "readings", EntityColumn = "device", EventTimeColumn = "time", LabelColumn = "label" };
        dataset.Columns.Add(new ColumnSpec { Name = "a", Type = ValueType.Float64, Required = true });
        dataset.Columns.Add(new ColumnSpec { Name = "b", Type = ValueType.Float64, Required = false });
        await new Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = dataset });
        await new Contracts.Features.V1.Features.FeaturesClient(_channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = "readings-view", Dataset = "readings", Passthrough = { "a", "b" } } });
        await new Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = "readings-model", Dataset = "readings", FeatureView = "readings-view", Objective = "binary:logistic", Rounds = 30,
                ValidationFraction = 0.1, HoldoutFraction = 0.2, Parameters = { ["max_depth"] = "4", ["subsample"] = "0.8" }, MaxTrainingRows = maxTrainingRows,
                Resources = new ResourceRequest { Accelerator = ResourceRequest.Types.Accelerator.Cpu },
                Triggers = new Contracts.Training.V1.Triggers { EveryNewLabeledRows = Records },
            },
        });
        var random = new Random(23);
        var ingestion = new Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel);
        for (var batch = 0; batch < 6; batch++)
        {
            var request = new IngestRequest { Dataset = "readings" };
            for (var i = batch * Records / 6; i < (batch + 1) * Records / 6; i++)
            {
                var entity = i % 50;
                var (a, b) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
                var record = new Record
                {
                    // Ten records a second: a cap must choose among rows of the same event time by their position.
                    RecordId = $"r{i}", EntityId = $"d{entity}", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i / 10)),
                    Values = { ["a"] = new Value { Float64Value = a } },
                    Label = a + 0.5 * b + (random.NextDouble() - 0.5) * 0.6 > 0 ? 1 : 0,
                };
                // Every seventh device never reports b: its rows carry NaN for it.
                if (entity % 7 != 0) record.Values["b"] = new Value { Float64Value = b };
                request.Records.Add(record);
            }
            await ingestion.IngestBatchAsync(request);
        }
        var training = new Contracts.Training.V1.Training.TrainingClient(_channel);
        var jobs = await Eventually.WaitForAsync(
            async () => (await training.ListJobsAsync(new ListJobsRequest { Model = "readings-model" })).Jobs,
            jobs => jobs.Any(j => j.Status.State is JobState.Succeeded or JobState.Failed), "the training job ends", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(200));
        var job = jobs.Single();
        job.Status.State.Should().Be(JobState.Succeeded, job.Status.Error);
        return job.Status.ModelVersion;
    }

    /// <summary>The rows' keys in the order a sequential scan meets them: the table's physical order.</summary>
    private static async Task<List<(int Partition, long Offset)>> PhysicalOrderAsync(NpgsqlConnection connection)
    {
        await ScalarAsync(connection, "SET enable_indexscan = off; SET enable_bitmapscan = off");
        await using var command = new NpgsqlCommand("SELECT source_partition, source_offset FROM offline_rows", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<(int, long)>();
        while (await reader.ReadAsync()) keys.Add((reader.GetInt32(0), reader.GetInt64(1)));
        return keys;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToInt64(value) : 0;
    }

    private sealed record CliResult(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    /// <summary>
    /// The real command line as a child process, from the CLI project's own build output, configured as the workers are:
    /// the offline store is PostgreSQL, so the rows are read from the server, not from a data directory.
    /// </summary>
    private async Task<CliResult> ReproduceAsync(string version)
    {
        var build = new DirectoryInfo(AppContext.BaseDirectory);
        var cli = Path.Combine(RepositoryRoot(), "services", "Cli", "bin", build.Parent!.Name, build.Name, "cascade.dll");
        File.Exists(cli).Should().BeTrue($"the CLI is built at {cli} (build services/Cli in the tests' configuration)");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { cli, "models", "reproduce", version, "--grpc", _grpc, "--data", _data },
            Environment =
            {
                ["Cascade__Infrastructure__OfflineStore"] = "postgres",
                ["Cascade__Infrastructure__Postgres"] = _connectionString,
            },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cascade did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cascade models reproduce {version} did not finish within 3 minutes.");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Microservices.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"No Microservices.sln above {AppContext.BaseDirectory}.");
    }
}
