using Cascade.Cli.Commands;
using Cascade.Cli.Demo;
using Cascade.Cli.Distributed;
using Cascade.Contracts.Events;
using Cascade.EventLog.Kafka;

namespace Cascade.Distributed.Tests;

/// <summary>
/// The demo's scenario across separate processes (ingestion, features, registry, training, a training worker,
/// serving, monitoring) on Kafka, Redis, PostgreSQL, s3rver and RabbitMQ, as <c>./cascade demo --distributed</c> runs it.
/// </summary>
public sealed class DistributedCascadeTests
{
    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Microservices.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
    }

    [Fact]
    public async Task Drift_retrains_promotes_and_swaps_across_separate_processes_and_the_broker_holds_the_records()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var root = RepositoryRoot();
        var state = Path.Combine(root, ".cascade", "distributed");
        if (Directory.Exists(state)) Directory.Delete(state, recursive: true);
        await using var cluster = await DistributedCluster.StartAsync(root, timeout.Token);
        (await cluster.HasModelAsync(DemoDataset.Model, timeout.Token)).Should().BeFalse("the servers must be fresh (test.sh starts them)");

        var summary = await DemoCommand.RunCascadeAsync(cluster.Channels, events: 16_000, driftAt: 8_000, rate: 2_000, timeout.Token);

        summary["failed_requests"].Should().Be(0L);
        ((int)summary["drift_alerts"]!).Should().BeGreaterThanOrEqualTo(1);
        ((int)summary["model_versions"]!).Should().BeGreaterThanOrEqualTo(2);
        ((int)summary["promotions"]!).Should().BeGreaterThanOrEqualTo(2);
        ((long)summary["swaps"]!).Should().BeGreaterThanOrEqualTo(2);
        // The loop closes across processes: a drift alert starts a retrain, and the retrained version answers requests.
        ((int)summary["retrains"]!).Should().BeGreaterThanOrEqualTo(1, "a drift alert must start a retrain");
        var stages = (Dictionary<string, double?>)summary["stage_latency_ms"]!;
        stages["alert_to_model_live"].Should().NotBeNull("the drift retrain's version must answer predictions before the run ends");
        cluster.Restarts.Values.Sum().Should().Be(0, "no process died");
        if (Environment.GetEnvironmentVariable("DOTNET_TieredPGO") is null)
        {
            // Eight processes compiling at once on a small machine (docs/performance.md): the supervisor starts them without dynamic PGO.
            ServiceEnvironment(cluster, "serving").Should().Contain("DOTNET_TieredPGO=0");
        }

        await using var kafka = new KafkaEventLog(new KafkaEventLogOptions());
        (await kafka.GetEndOffsetsAsync(Topics.Data(DemoDataset.Name))).Values.Sum().Should().Be(16_000, "the broker holds every record once");
        (await kafka.GetEndOffsetsAsync(Topics.PredictionsLogged)).Values.Sum().Should().BeGreaterThanOrEqualTo((long)summary["predictions"]!);
    }

    /// <summary>The environment the supervisor started <paramref name="instance"/> with, read from <c>/proc/{pid}/environ</c>.</summary>
    private static IReadOnlyList<string> ServiceEnvironment(DistributedCluster cluster, string instance)
    {
        var pid = cluster.ProcessIdOf(instance) ?? throw new InvalidOperationException($"The supervisor runs no process for {instance}.");
        return File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }
}
