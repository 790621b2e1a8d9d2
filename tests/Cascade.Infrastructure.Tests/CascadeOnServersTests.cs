using Cascade.Cli.Commands;
using Grpc.Net.Client;
using Cascade.Host;
using Cascade.Hosting;
using Npgsql;

namespace Cascade.Infrastructure.Tests;

/// <summary>
/// The demo's whole scenario with every seam on a real server: events on Kafka, online features in Redis, registry
/// metadata in PostgreSQL, artifacts in S3 (s3rver), training jobs through RabbitMQ.
/// </summary>
public sealed class CascadeOnServersTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-servers-").FullName;
    private readonly string _database = Servers.Unique("cascade").Replace('-', '_');
    private Microsoft.AspNetCore.Builder.WebApplication _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database=postgres"))
        {
            connection.Open();
            new NpgsqlCommand($"CREATE DATABASE {_database}", connection).ExecuteNonQuery();
        }
        var infrastructure = InfrastructureOptions.LocalServers();
        infrastructure.Postgres = $"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database={_database}";
        infrastructure.S3.Prefix = Servers.Unique("e2e");
        // Its own topics, groups, keys and job queues: other runs on the same servers must not feed this one.
        infrastructure.Kafka.Namespace = Servers.Unique("e2e");
        infrastructure.Redis.KeyPrefix = Servers.Unique("e2e");
        infrastructure.RabbitMq.Namespace = Servers.Unique("e2e");
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data, Infrastructure = infrastructure };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        _channel = GrpcChannel.ForAddress(AllInOneHost.GetAddresses(_host, options).Grpc);
    }

    [Fact]
    public async Task Drift_retrains_promotes_and_swaps_with_every_seam_on_a_real_server_without_a_failed_request()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));

        var summary = await DemoCommand.RunCascadeAsync(_channel, events: 24_000, driftAt: 12_000, rate: 2_000, timeout.Token);

        summary["records_ingested"].Should().Be(24_000L);
        summary["failed_requests"].Should().Be(0L);
        ((int)summary["drift_alerts"]!).Should().BeGreaterThanOrEqualTo(1);
        ((int)summary["model_versions"]!).Should().BeGreaterThanOrEqualTo(2);
        ((int)summary["promotions"]!).Should().BeGreaterThanOrEqualTo(2);
        ((long)summary["swaps"]!).Should().BeGreaterThanOrEqualTo(2);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
