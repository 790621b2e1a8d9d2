using Cascade.Cli.Distributed;
using Npgsql;

namespace Cascade.Distributed.Tests;

/// <summary>
/// The processes of <c>tye.yaml</c> in a namespace of their own on the shared servers (topics, groups, Redis keys,
/// job queues, artifacts and a PostgreSQL database), so a test meets none of another run's state.
/// </summary>
internal static class IsolatedCluster
{
    /// <summary>A fresh namespace: a prefix and random letters, also a valid PostgreSQL database name.</summary>
    public static string NewNamespace(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..16];

    public static async Task<DistributedCluster> StartAsync(string run, CancellationToken cancellationToken)
    {
        var root = DistributedCascadeTests.RepositoryRoot();
        var state = Path.Combine(root, ".cascade", "distributed");
        if (Directory.Exists(state)) Directory.Delete(state, recursive: true);
        await using (var admin = new NpgsqlConnection("Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres"))
        {
            await admin.OpenAsync(cancellationToken);
            await new NpgsqlCommand($"CREATE DATABASE {run}", admin).ExecuteNonQueryAsync(cancellationToken);
        }
        var overrides = new Dictionary<string, string>
        {
            ["Cascade__Infrastructure__Kafka__Namespace"] = run,
            ["Cascade__Infrastructure__Redis__KeyPrefix"] = run,
            ["Cascade__Infrastructure__S3__Prefix"] = run,
            ["Cascade__Infrastructure__RabbitMq__Namespace"] = run,
            ["Cascade__Infrastructure__Postgres"] = $"Host=127.0.0.1;Port=5432;Username=postgres;Database={run}",
        };
        return await DistributedCluster.StartAsync(root, cancellationToken, overrides);
    }
}
