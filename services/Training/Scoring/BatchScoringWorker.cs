using System.Diagnostics;
using System.Globalization;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Signing;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Domain;
using Cascade.Training.Options;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Scoring;

/// <summary>
/// Runs one batch-scoring job: loads the registered version's artifact from the artifact store, verified against
/// <c>trust</c> as Serving verifies it, reads every row (labeled or not) of the job's feature view version below its
/// watermark, scores them in chunks with the artifact's own evaluator, writes one Parquet file
/// (<see cref="ScoresParquetFile"/>) and stores it in the artifact store. Progress is reported per chunk; a
/// cancellation is honoured between chunks and, last, just before the file is stored, so a cancelled job leaves no
/// output artifact.
/// </summary>
/// <remarks>
/// A job sent to the gpu pool may run on ONNX Runtime's CUDA provider instead of the evaluator
/// (<see cref="ScoringExecution"/>, <see cref="BatchScoringOptions"/>): its scores then agree with the evaluator's to
/// 1e-5 relative rather than bit for bit, and the status and the file's lineage say which ran and, for a gpu job
/// scored on the CPU, why.
/// </remarks>
public sealed partial class BatchScoringWorker(IOfflineStore offline, IArtifactStore artifacts, IJobCancellation cancellation, ArtifactTrust trust, TrainingServiceOptions options, ILogger<BatchScoringWorker>? logger = null)
{
    /// <param name="onChunk">Called after each chunk with (chunks done, chunks planned): the job's progress.</param>
    /// <exception cref="InvalidOperationException">The model reads features the job's view version does not have.</exception>
    /// <exception cref="ArtifactException">The stored artifact is not a valid artifact, or its signature is refused.</exception>
    public async Task<BatchScoringResult> RunAsync(TrainingJob job, CancellationToken cancellationToken, Action<int, int>? onChunk = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var scoring = job.Spec.Scoring ?? throw new InvalidOperationException($"Job '{job.Id}' is a scoring job without its scoring spec.");
        var work = Path.Combine(options.WorkDirectory, job.Id);
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true); // a retried attempt starts clean
        var modelDirectory = Path.Combine(work, "model");
        ArtifactArchive.Unpack(await artifacts.GetAsync(scoring.ArtifactSha256, cancellationToken), modelDirectory);
        var artifact = ModelArtifact.Load(modelDirectory, trust);
        using var execution = ScoringExecution.For(job, artifact, options.Scoring);
        if (execution.FellBack && logger is not null) LogOnCpu(logger, job.Id, execution.Description);
        var columns = FeatureColumns(artifact.Manifest.FeatureNames, job.Spec.FeatureNames);

        var offsets = job.Spec.Watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset);
        var rows = await offline.ReadAsync(scoring.FeatureView, job.Spec.FeatureViewVersion, offsets, labeledOnly: false, cancellationToken);
        // The log's order, so the same store contents and watermark always give the same file.
        var ordered = rows.OrderBy(r => r.Partition).ThenBy(r => r.Offset).ToArray();

        var scorer = execution.Scorer;
        var chunkRows = options.ScoringChunkRows;
        var planned = (ordered.Length + chunkRows - 1) / chunkRows;
        var outputColumns = ScoresParquetFile.OutputColumns(scorer.OutputCount);
        var output = Path.Combine(work, "scores.parquet");
        var features = new float[chunkRows * scorer.FeatureCount];
        var scores = new float[chunkRows * scorer.OutputCount];
        var entityIds = new string[chunkRows];
        var eventTimes = new DateTime[chunkRows];
        await using (var file = await ScoresParquetFile.CreateAsync(output, outputColumns, cancellationToken))
        {
            onChunk?.Invoke(0, planned);
            for (var chunk = 0; chunk < planned; chunk++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var first = chunk * chunkRows;
                var count = Math.Min(chunkRows, ordered.Length - first);
                for (var r = 0; r < count; r++)
                {
                    var row = ordered[first + r];
                    entityIds[r] = row.EntityId;
                    eventTimes[r] = row.EventTime.UtcDateTime;
                    // The cast training applies (TrainingSets): the model sees the float it was trained on.
                    for (var c = 0; c < columns.Length; c++) features[r * columns.Length + c] = (float)row.Values[columns[c]];
                }
                scorer.PredictBatch(features.AsSpan(0, count * scorer.FeatureCount), count, scores.AsSpan(0, count * scorer.OutputCount));
                await file.WriteAsync(entityIds, eventTimes, scores, count, cancellationToken);
                onChunk?.Invoke(chunk + 1, planned);
            }
            await file.CompleteAsync(Lineage(job, ordered.Length, execution));
        }

        // The last moment a cancellation can still keep the output out of the artifact store.
        if (await cancellation.IsCancelledAsync(job.Id, cancellationToken)) throw new JobCancelledException(job.Id);
        ArtifactRef stored;
        await using (var content = File.OpenRead(output))
        {
            stored = await artifacts.PutAsync(content, cancellationToken);
        }
        DiscardWork(job.Id);
        if (logger is not null) LogScored(logger, job.Id, job.Spec.Model, scoring.ModelVersion, ordered.Length, stopwatch.Elapsed.TotalMilliseconds, stored.Sha256);
        return new BatchScoringResult
        {
            OutputUri = stored.Uri,
            OutputSha256 = stored.Sha256,
            OutputSizeBytes = stored.SizeBytes,
            RowsScored = ordered.Length,
            Device = execution.Device,
            Engine = execution.Engine,
            ExecutionProvider = execution.Description,
            Duration = Duration.FromTimeSpan(stopwatch.Elapsed),
            OutputColumns = { outputColumns },
        };
    }

    /// <summary>Removes what a job left in the work directory (a cancelled one stops wherever it was).</summary>
    public void DiscardWork(string jobId)
    {
        var work = Path.Combine(options.WorkDirectory, jobId);
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
    }

    /// <summary>For each model feature, its column in the view version's rows.</summary>
    private static int[] FeatureColumns(IReadOnlyList<string> modelFeatures, IReadOnlyList<string> viewFeatures)
    {
        var columns = modelFeatures.Select(name => viewFeatures.ToList().IndexOf(name)).ToArray();
        var missing = modelFeatures.Where((_, i) => columns[i] < 0).ToArray();
        return missing.Length == 0
            ? columns
            : throw new InvalidOperationException($"The feature view version has no column for {string.Join(", ", missing)}, which the model reads.");
    }

    private Dictionary<string, string> Lineage(TrainingJob job, int rows, ScoringExecution execution)
    {
        var scoring = job.Spec.Scoring;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cascade.job_id"] = job.Id,
            ["cascade.model"] = job.Spec.Model,
            ["cascade.model_version"] = scoring.ModelVersion.ToString(CultureInfo.InvariantCulture),
            ["cascade.artifact_sha256"] = scoring.ArtifactSha256,
            ["cascade.feature_view"] = scoring.FeatureView,
            ["cascade.feature_view_version"] = job.Spec.FeatureViewVersion.ToString(CultureInfo.InvariantCulture),
            ["cascade.watermark"] = string.Join(",", job.Spec.Watermark.Partitions.OrderBy(p => p.Partition).Select(p => $"{p.Partition}:{p.Offset}")),
            ["cascade.rows"] = rows.ToString(CultureInfo.InvariantCulture),
            ["cascade.device"] = execution.Device,
            ["cascade.engine"] = execution.Engine,
            ["cascade.execution_provider"] = execution.Description,
            ["cascade.worker"] = options.WorkerName,
            ["cascade.code_version"] = options.CodeVersion,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scoring job {JobId} was sent to the gpu pool and scores on the CPU evaluator: {ExecutionProvider}")]
    private static partial void LogOnCpu(ILogger logger, string jobId, string executionProvider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scoring job {JobId}: {Model} v{Version} scored {Rows} rows in {Milliseconds:F0} ms into artifact {Sha256}")]
    private static partial void LogScored(ILogger logger, string jobId, string model, int version, int rows, double milliseconds, string sha256);
}
