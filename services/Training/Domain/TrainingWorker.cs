using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Metrics;
using Cascade.Ml.Signing;
using Cascade.Ml.Training;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Options;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Training.Domain;

/// <summary>
/// Runs one training job: reads the training set from the offline store up to the job's watermark, splits it
/// deterministically, trains, writes the artifact with its manifest signed by <c>signingKey</c> (null: unsigned,
/// only where signatures are not required), stores it, scores candidate and champion on the same holdout, and registers
/// the version (the registry's gate decides the promotion).
/// </summary>
public sealed partial class TrainingWorker(IOfflineStore offline, IArtifactStore artifacts, IRegistryGateway registry, IJobCancellation cancellation, TrainingServiceOptions options, SigningKey? signingKey, ILogger<TrainingWorker>? logger = null)
{
    /// <summary>The outcome of a job: the registered version and whether it was promoted.</summary>
    public sealed record Outcome(int Version, bool Promoted, string Decision, string Device);

    /// <param name="onRound">Called after each boosting round with (rounds done, rounds planned): the job's progress.</param>
    public async Task<Outcome> RunAsync(TrainingJob job, TrainingPolicySpec policy, CancellationToken cancellationToken, Action<int, int>? onRound = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var settings = TrainingSettings.FromPolicy(policy);
        var names = job.Spec.FeatureNames.ToArray();
        var categoricals = CategoricalEncodings.FromProto(job.Spec.Categoricals);
        var set = await TrainingSets.ReadAsync(offline, policy.FeatureView, job.Spec.FeatureViewVersion, job.Spec.Watermark, names, settings, cancellationToken);
        var (train, validation, holdout) = (set.Train, set.Validation, set.Holdout);
        // Resolved before training: a bin count that cannot be cut from these rows fails the job before it costs anything.
        var monitoring = SegmentResolution.For(policy, train, categoricals);
        var read = stopwatch.Elapsed;

        var device = job.Spec.Resources?.Accelerator == Contracts.Common.V1.ResourceRequest.Types.Accelerator.Gpu ? "cuda" : "cpu";
        var result = Trainers.Train(train, validation.Rows > 0 ? validation : null, settings.Options(validation, device, cancellationToken, onRound));

        var trained = stopwatch.Elapsed;
        var directory = Path.Combine(options.WorkDirectory, job.Id, "candidate");
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); // a retried attempt starts clean
        ModelManifest manifest;
        using (result.Model)
        {
            manifest = ArtifactWriter.Write(directory, result, train, validation.Rows > 0 ? validation : null, "label", categoricals, signingKey, monitoring);
        }
        var candidate = ModelArtifact.Load(directory);
        var written = stopwatch.Elapsed;
        var stored = await artifacts.PutAsync(new MemoryStream(ArtifactArchive.Pack(directory)), cancellationToken);
        var uploaded = stopwatch.Elapsed;

        var holdoutEvaluation = new HoldoutEvaluation
        {
            HoldoutFingerprint = set.HoldoutFingerprint,
            HoldoutRows = holdout.Rows,
            CandidateMetrics = { Score(candidate, holdout).ToDictionary() },
        };
        var champion = await registry.GetChampionAsync(policy.Model, cancellationToken);
        if (champion is not null)
        {
            holdoutEvaluation.ChampionVersion = champion.Meta.Version;
            var championDirectory = Path.Combine(options.WorkDirectory, job.Id, $"champion-v{champion.Meta.Version}");
            if (Directory.Exists(championDirectory)) Directory.Delete(championDirectory, recursive: true);
            ArtifactArchive.Unpack(await artifacts.GetAsync(champion.Spec.ArtifactSha256, cancellationToken), championDirectory);
            var championArtifact = ModelArtifact.Load(championDirectory);
            // A champion trained on other features cannot be scored on these rows: the gate then refuses to compare.
            // The same names with another vocabulary (an ORDINAL code now meaning another value) are other features too.
            if (championArtifact.Manifest.FeatureNames.SequenceEqual(names) && CategoricalEncodings.Same(championArtifact.Manifest.Categorical ?? [], categoricals))
            {
                holdoutEvaluation.ChampionMetrics.Add(Score(championArtifact, holdout).ToDictionary());
            }
        }

        var compared = stopwatch.Elapsed;
        var spec = new ModelVersionSpec
        {
            Model = policy.Model,
            ArtifactUri = stored.Uri,
            ArtifactSha256 = stored.Sha256,
            ArtifactSize = stored.SizeBytes,
            Framework = "xgboost",
            Objective = manifest.Objective,
            NumClass = manifest.NumClass,
            FeatureNames = { names },
            TrainMetrics = { manifest.Metrics["train"].ToDictionary() },
            Holdout = holdoutEvaluation,
            Lineage = new Lineage
            {
                Dataset = policy.Dataset,
                Watermark = job.Spec.Watermark,
                FeatureView = policy.FeatureView,
                FeatureViewVersion = job.Spec.FeatureViewVersion,
                CodeVersion = options.CodeVersion,
                Parameters = { manifest.Parameters.ToDictionary() },
                TrainingJobId = job.Id,
                Worker = options.WorkerName,
                Device = device,
                Duration = Duration.FromTimeSpan(stopwatch.Elapsed),
                TrainingRows = train.Rows,
                TriggerReason = job.Spec.TriggerReason,
            },
        };
        // How the rows were split and the trees grown, beside the trainer's parameters: what reproducing the version needs.
        spec.Lineage.Parameters.Add(settings.ToLineageParameters());
        if (manifest.Metrics.TryGetValue("validation", out var validated)) spec.ValidationMetrics.Add(validated.ToDictionary());
        // The last moment a cancellation can still keep the version out of the registry.
        if (await cancellation.IsCancelledAsync(job.Id, cancellationToken)) throw new JobCancelledException(job.Id);
        var registered = await registry.RegisterAsync(spec, $"training-worker/{options.WorkerName}", cancellationToken);
        DiscardWork(job.Id);
        if (logger is not null)
        {
            // Where a job's time goes: the first model's delay to serving is the sum, so each part is worth seeing.
            LogPhases(logger, job.Id, set.RowsRead, read.TotalMilliseconds, (trained - read).TotalMilliseconds, (written - trained).TotalMilliseconds,
                (uploaded - written).TotalMilliseconds, (compared - uploaded).TotalMilliseconds, (stopwatch.Elapsed - compared).TotalMilliseconds);
        }
        return new Outcome(registered.Version.Meta.Version, registered.Promoted, registered.Decision.Reason, device);
    }

    /// <summary>Removes what a job left in the work directory (a cancelled one stops wherever it was).</summary>
    public void DiscardWork(string jobId)
    {
        var work = Path.Combine(options.WorkDirectory, jobId);
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
    }

    private static IReadOnlyDictionary<string, double> Score(ModelArtifact artifact, TabularData holdout)
    {
        var predictions = new float[holdout.Rows * artifact.Scorer.OutputCount];
        artifact.Scorer.PredictBatch(holdout.Features, holdout.Rows, predictions);
        return ModelMetrics.For(artifact.Manifest.Objective, holdout.Labels, predictions, artifact.Manifest.NumClass);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId}: read {Rows} rows in {ReadMs:F0} ms, trained in {TrainMs:F0} ms, wrote and verified the artifact in {ArtifactMs:F0} ms, stored it in {StoreMs:F0} ms, scored the champion in {ChampionMs:F0} ms, registered in {RegisterMs:F0} ms")]
    private static partial void LogPhases(ILogger logger, string jobId, int rows, double readMs, double trainMs, double artifactMs, double storeMs, double championMs, double registerMs);
}
