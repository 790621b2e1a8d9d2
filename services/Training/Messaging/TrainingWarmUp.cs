using System.Diagnostics;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Messaging;

/// <summary>
/// Runs the whole training path once on a few hundred synthetic rows when a worker starts: XGBoost's native library
/// and its thread pool, the JIT of training, artifact writing, compiling and verifying. Measured in the distributed
/// demo, a fresh worker took 1.8 s for its first job of 10,000 rows and 0.4–1.0 s for the next ones; that second is
/// the first model's delay to serving, so the worker pays it before any job arrives. Runs in the background: the
/// process is ready at once, and a job that arrives meanwhile only waits for what is left of it.
/// </summary>
internal sealed partial class TrainingWarmUp(WorkerCapabilities capabilities, ILogger<TrainingWarmUp> logger) : BackgroundService
{
    private const int Rows = 512;
    private const int Columns = 4;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => capabilities.Queues.Count == 0
        ? Task.CompletedTask // a scheduler that trains nothing itself
        : Task.Run(() => WarmUp(stoppingToken), stoppingToken);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming up the training path failed; the first job pays the start-up cost")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);
}
