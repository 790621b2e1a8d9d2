using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Options;
using Cascade.Storage.Artifacts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Monitoring.Streaming;

/// <summary>
/// Walks what a promotion costs Monitoring once when it starts, on a synthetic model: the artifact store's first request
/// (S3's client and connection), reading a reference profile out of an artifact archive, activating a monitor (its
/// thresholds calibrated by resampling), observing and evaluating windows of predictions and writing the checkpoint. In the distributed demo a
/// fresh Monitoring took 2.0 s from the first promotion to watching the version (quiet machine), and up to 7.3 s under
/// load (4.2 s reading the profile, 3.2 s activating), against 0.15 s and 0.6 s for the next version: first calls, not
/// work. The first model is what decides whether Monitoring watches a version before the data changes, so Monitoring
/// pays that cost before any promotion arrives. Nothing it does is kept or published: the monitor is a throwaway one,
/// outside <see cref="ModelMonitors"/>. Runs in the background, so the service is ready at once.
/// </summary>
internal sealed partial class MonitoringWarmUp(IArtifactStore artifacts, MonitoringServiceOptions options, ILogger<MonitoringWarmUp> logger) : BackgroundService
{
    private const string Nothing = "cascade-warm-up";
    private const int Rows = 2_000;
    private static readonly string[] Features = ["a", "b", "c", "d"];
    private static readonly JsonSerializerOptions CheckpointJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            // A request to the store and back (its client, connection, credentials), as RegistryWarmUp and TrainingWarmUp make.
            await artifacts.ExistsAsync(new string('0', 64), stoppingToken);
            await Task.Run(() => Rehearse(stoppingToken), stoppingToken);
            LogWarmedUp(logger, stopwatch.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only a head start: whatever failed here says why again, with its cause, on the first real promotion.
            LogWarmUpFailed(logger, ex);
        }
    }

    /// <summary>The promotion path of <see cref="MonitoringProcessor"/> and the first evaluations, on synthetic data.</summary>
    private void Rehearse(CancellationToken cancellationToken)
    {
        var random = new Random(17);
        var values = new float[Rows * Features.Length];
        var predictions = new float[Rows];
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Features.Length; c++) values[r * Features.Length + c] = (float)(random.NextDouble() + random.NextDouble());
            predictions[r] = (float)random.NextDouble();
        }
        var profile = ReferenceProfile.FromJson(ReadFromArchive(ReferenceProfiler.Build(new TabularData(values, Rows, Features), predictions, outputsPerRow: 1)));
        cancellationToken.ThrowIfCancellationRequested();

        var monitor = new ModelMonitor(Nothing, options.Drift);
        monitor.Activate(1, profile, ModelTask.BinaryClassification);
        // A full window and ten evaluations: each statistic is computed, judged and turned into (discarded) alerts.
        var count = options.Drift.Window.Size + 10 * options.Drift.Window.EvaluationStride;
        var row = new float[Features.Length];
        var output = new float[1];
        for (var i = 0; i < count; i++)
        {
            var r = i % Rows;
            Array.Copy(values, r * Features.Length, row, 0, Features.Length);
            output[0] = predictions[r];
            monitor.Observe(new PredictionRecord($"p{i}", Nothing, 1, $"e{i}", DateTimeOffset.UnixEpoch.AddSeconds(i), i + 1, row, output));
        }
        monitor.Health();
        // A switch of versions is checkpointed at once: the monitor's state goes to JSON as the store writes it.
        JsonSerializer.Serialize(monitor.Export(), CheckpointJson);
    }

    /// <summary>The profile's bytes as <c>ArtifactProfileLoader</c> gets them: out of an artifact archive, beside its manifest.</summary>
    private static byte[] ReadFromArchive(ReferenceProfile profile)
    {
        var directory = Directory.CreateTempSubdirectory("cascade-monitoring-warmup-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, ArtifactFiles.Manifest), """{"objective":"binary:logistic","has_reference_profile":true}""");
            File.WriteAllBytes(Path.Combine(directory, ArtifactFiles.ReferenceProfile), JsonSerializer.SerializeToUtf8Bytes(profile));
            var archive = ArtifactArchive.Pack(directory);
            using var manifest = JsonDocument.Parse(ArtifactArchive.ReadFile(archive, ArtifactFiles.Manifest));
            ModelTasks.FromObjective(manifest.RootElement.GetProperty("objective").GetString() ?? string.Empty);
            return ArtifactArchive.ReadFile(archive, ArtifactFiles.ReferenceProfile);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Promotion path warmed up in {Milliseconds} ms (artifact store, reference profile, threshold calibration, window evaluation)")]
    private static partial void LogWarmedUp(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming up the promotion path failed; the first promotion pays the start-up cost")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);
}
