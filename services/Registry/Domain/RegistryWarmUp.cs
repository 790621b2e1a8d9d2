using System.Diagnostics;
using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Registry.Domain;

/// <summary>
/// Walks the read side of a registration once when the registry starts: the artifact store's first request (S3's
/// client and connection), the store's lookups, the promotion gate and the JSON its evidence is written in (Google.Protobuf
/// builds its reflection caches on first use). In the distributed demo the first registration of a fresh registry took
/// 1,076 ms against 125 ms for the next, and the first model's delay to serving is what decides whether Monitoring
/// watches a version before the data changes. Only reads: a name no model has finds nothing and changes nothing.
/// Runs in the background, so the registry is ready at once.
/// </summary>
internal sealed partial class RegistryWarmUp(IRegistryStore store, IArtifactStore artifacts, PromotionGate gate, ILogger<RegistryWarmUp> logger) : BackgroundService
{
    private const string Nothing = "cascade-warm-up";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await artifacts.ExistsAsync(new string('0', 64), stoppingToken);
            await Task.Run(() =>
            {
                store.ResolveAlias(Nothing, Aliases.Champion);
                store.FindByJob(Nothing, Nothing);
                var candidate = new ModelVersionSpec
                {
                    Model = Nothing,
                    Objective = "binary:logistic",
                    Holdout = new HoldoutEvaluation { CandidateMetrics = { ["auc"] = 0.5 } },
                    Lineage = new Lineage { TrainingJobId = Nothing },
                };
                JsonFormatter.Default.Format(gate.Decide(candidate, championVersion: 0));
                candidate.CalculateSize();
            }, stoppingToken);
            LogWarmedUp(logger, stopwatch.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only a head start: whatever failed here says why again, with its cause, on the first real call.
            LogWarmUpFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registration path warmed up in {Milliseconds} ms (artifact store, registry store, promotion gate)")]
    private static partial void LogWarmedUp(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warming up the registration path failed: {Message}")]
    private static partial void LogWarmUpFailed(ILogger logger, string message);
}
