using System.Diagnostics;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Training;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Messaging;

/// <summary>
/// Runs the whole training path once on a few hundred synthetic rows when a worker starts: XGBoost's native library
/// and its thread pool, the JIT of training, artifact writing, compiling and verifying; then one harmless call to each
/// store and service a job uses (the offline store, the artifact store, the registry, the job's cancellation check),
/// which opens their connections. Measured in the distributed demo (the worker logs each job's phases), a fresh
/// worker's first job spent 123 ms training and ~1.4 s on first calls: 454 ms reading (PostgreSQL's first query),
/// 305 ms storing (S3's first request), 114 + 501 ms at the registry (the first gRPC connection); later jobs 20–90 ms
/// each. That is the first model's delay to serving, so the worker pays it before any job arrives. Runs in the
/// background: the process is ready at once, and a job that arrives meanwhile only waits for what is left of it.
/// </summary>
internal sealed partial class TrainingWarmUp(
    WorkerCapabilities capabilities, IOfflineStore offline, IArtifactStore artifacts, IRegistryGateway registry, IJobCancellation cancellation,
    ILogger<TrainingWarmUp> logger) : BackgroundService
{
    /// <summary>A name no model, view or job has: every call below finds nothing and changes nothing.</summary>
    private const string Nothing = "cascade-warm-up";
    private const int Rows = 512;
    private const int Columns = 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (capabilities.Queues.Count == 0) return; // a scheduler that trains nothing itself
        await Task.Run(() => WarmUp(stoppingToken), stoppingToken);
        var stopwatch = Stopwatch.StartNew();
        await Connect("offline store", () => offline.ReadLatestAsync(Nothing, 1, new Dictionary<int, long> { [0] = 1 }, labeledOnly: true, limit: 1, stoppingToken));
        await Connect("artifact store", () => artifacts.ExistsAsync(new string('0', 64), stoppingToken));
        await Connect("registry", () => registry.GetChampionAsync(Nothing, stoppingToken));
        await Connect("training service", () => cancellation.IsCancelledAsync(Nothing, stoppingToken));
        LogConnected(logger, stopwatch.ElapsedMilliseconds);
    }

    private async Task Connect(string what, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // "Not found" is the expected answer of some; anything else shows up again, with its cause, on a real job.
            LogConnectFailed(logger, what, ex.Message);
        }
    }

    private void WarmUp(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("cascade-training-warmup-").FullName;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var random = new Random(17);
            var features = new float[Rows * Columns];
            var labels = new float[Rows];
            for (var r = 0; r < Rows; r++)
            {
                for (var c = 0; c < Columns; c++) features[r * Columns + c] = (float)random.NextDouble();
                labels[r] = features[r * Columns] + features[r * Columns + 1] > 1 ? 1 : 0;
            }
            var data = new TabularData(features, Rows, ["a", "b", "c", "d"], labels);
            var result = XGBoostTrainer.Train(data, null, new TrainingOptions
            {
                Parameters = new Dictionary<string, string> { ["objective"] = "binary:logistic", ["max_depth"] = "3" },
                Rounds = 5,
                Cancellation = cancellationToken,
            });
            using (result.Model)
            {
                ArtifactWriter.Write(directory, result, data, null, "label");
            }
            ModelArtifact.Load(directory);
            LogWarmedUp(logger, stopwatch.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only a head start: a worker that cannot warm up will say why on its first real job.
            LogWarmUpFailed(logger, ex);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training path warmed up in {Milliseconds} ms (XGBoost loaded, training and artifacts compiled)")]
    private static partial void LogWarmedUp(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connections of the training path opened in {Milliseconds} ms")]
    private static partial void LogConnected(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warm-up call to the {What} answered: {Message}")]
    private static partial void LogConnectFailed(ILogger logger, string what, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming up the training path failed; the first job pays the start-up cost")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);
}
