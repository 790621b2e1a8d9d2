using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Globalization;
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
using TrainingOptions = Cascade.Ml.Training.TrainingOptions;

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
        var watermark = job.Spec.Watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset);
        // A capped training set reads only the cap + 1 latest rows (one more tells "more than the cap": only then are
        // the rows reordered by event time below), never the whole offline store, which grows with every record.
        var rows = policy.MaxTrainingRows > 0
            ? await offline.ReadLatestAsync(policy.FeatureView, job.Spec.FeatureViewVersion, watermark, labeledOnly: true,
                limit: policy.MaxTrainingRows >= int.MaxValue ? int.MaxValue : (int)policy.MaxTrainingRows + 1, cancellationToken)
            : await offline.ReadAsync(policy.FeatureView, job.Spec.FeatureViewVersion, watermark, labeledOnly: true, cancellationToken);
        if (policy.MaxTrainingRows > 0 && rows.Count > policy.MaxTrainingRows)
        {
            // The most recent rows by event time: after a drift, old behaviour should not dominate.
            rows = rows.OrderBy(r => r.EventTime).ThenBy(r => r.Partition).ThenBy(r => r.Offset).TakeLast((int)policy.MaxTrainingRows).ToArray();
        }
        var read = stopwatch.Elapsed;
        var names = job.Spec.FeatureNames.ToArray();
        var categoricals = CategoricalEncodings.FromProto(job.Spec.Categoricals);
        var parts = rows.GroupBy(r => DatasetSplit.Of(r.Partition, r.Offset, policy.ValidationFraction, policy.HoldoutFraction)).ToDictionary(g => g.Key, g => g.ToArray());
        var train = Table(parts.GetValueOrDefault(SplitPart.Train) ?? [], names);
        var validation = Table(parts.GetValueOrDefault(SplitPart.Validation) ?? [], names);
        var holdoutRows = parts.GetValueOrDefault(SplitPart.Holdout) ?? [];
        var holdout = Table(holdoutRows, names);
        if (train.Rows < 50 || holdout.Rows < 10)
        {
            throw new InvalidOperationException($"Not enough labeled rows below the watermark: {train.Rows} to train, {holdout.Rows} to hold out (need 50 and 10).");
        }

        var device = job.Spec.Resources?.Accelerator == Contracts.Common.V1.ResourceRequest.Types.Accelerator.Gpu ? "cuda" : "cpu";
        var parameters = new Dictionary<string, string>(policy.Parameters) { ["objective"] = policy.Objective };
        if (policy.NumClass > 0) parameters["num_class"] = policy.NumClass.ToString(CultureInfo.InvariantCulture);
        var result = Trainers.Train(train, validation.Rows > 0 ? validation : null, new TrainingOptions
        {
            Trainer = Trainers.Require(policy.Trainer),
            Parameters = parameters,
            Rounds = policy.Rounds > 0 ? policy.Rounds : 100,
            EarlyStoppingRounds = policy.EarlyStoppingRounds > 0 && validation.Rows > 0 ? policy.EarlyStoppingRounds : null,
            Device = device,
            Cancellation = cancellationToken,
            OnRound = onRound,
        });

        var trained = stopwatch.Elapsed;
        var directory = Path.Combine(options.WorkDirectory, job.Id, "candidate");
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); // a retried attempt starts clean
        ModelManifest manifest;
        using (result.Model)
        {
            manifest = ArtifactWriter.Write(directory, result, train, validation.Rows > 0 ? validation : null, "label", categoricals, signingKey);
        }
        var candidate = ModelArtifact.Load(directory);
        var written = stopwatch.Elapsed;
        var stored = await artifacts.PutAsync(new MemoryStream(ArtifactArchive.Pack(directory)), cancellationToken);
        var uploaded = stopwatch.Elapsed;

        var holdoutEvaluation = new HoldoutEvaluation
        {
            HoldoutFingerprint = Fingerprint(holdoutRows),
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
        if (manifest.Metrics.TryGetValue("validation", out var validationMetrics)) spec.ValidationMetrics.Add(validationMetrics.ToDictionary());
        // The last moment a cancellation can still keep the version out of the registry.
        if (await cancellation.IsCancelledAsync(job.Id, cancellationToken)) throw new JobCancelledException(job.Id);
        var registered = await registry.RegisterAsync(spec, $"training-worker/{options.WorkerName}", cancellationToken);
        DiscardWork(job.Id);
        if (logger is not null)
        {
            // Where a job's time goes: the first model's delay to serving is the sum, so each part is worth seeing.
            LogPhases(logger, job.Id, rows.Count, read.TotalMilliseconds, (trained - read).TotalMilliseconds, (written - trained).TotalMilliseconds,
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

    private static TabularData Table(IReadOnlyList<OfflineFeatureRow> rows, string[] names)
    {
        var features = new float[rows.Count * names.Length];
        var labels = new float[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < names.Length; c++) features[r * names.Length + c] = (float)rows[r].Values[c];
            labels[r] = (float)rows[r].Label!.Value;
        }
        return new TabularData(features, rows.Count, names, labels);
    }

    private static string Fingerprint(IEnumerable<OfflineFeatureRow> rows)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var row in rows.OrderBy(r => r.Partition).ThenBy(r => r.Offset))
        {
            hash.AppendData(BitConverter.GetBytes(row.Partition));
            hash.AppendData(BitConverter.GetBytes(row.Offset));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId}: read {Rows} rows in {ReadMs:F0} ms, trained in {TrainMs:F0} ms, wrote and verified the artifact in {ArtifactMs:F0} ms, stored it in {StoreMs:F0} ms, scored the champion in {ChampionMs:F0} ms, registered in {RegisterMs:F0} ms")]
    private static partial void LogPhases(ILogger logger, string jobId, int rows, double readMs, double trainMs, double artifactMs, double storeMs, double championMs, double registerMs);
}
