using System.Text.Json.Nodes;
using Cascade.Contracts.Registry.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Metrics;
using Cascade.Ml.Optimization;
using Cascade.Ml.Training;
using Cascade.Storage.OfflineStore;

namespace Cascade.Training.Domain.Reproduction;

/// <summary>
/// Trains a registered version again from its lineage, as its job did: the same labeled rows of the same feature view
/// version below the recorded watermark (<see cref="TrainingSets"/>, the worker's own reader), the same split, trainer,
/// parameters (resolved seed and threads included), rounds and device; then compares the model file, the trees and the
/// holdout predictions with the registered artifact, and names every input that differed. Nothing is registered.
/// </summary>
public sealed class VersionReproduction(IOfflineStore offline)
{
    /// <summary>Refuses versions with nothing to train again from: imported models, optimised variants, missing data lineage.</summary>
    /// <exception cref="NotReproducibleException">Why, and what can be done instead.</exception>
    public static void EnsureReproducible(ModelVersion version)
    {
        var (model, number, lineage) = (version.Spec.Model, version.Meta.Version, version.Spec.Lineage);
        if (lineage is null)
        {
            throw new NotReproducibleException($"{model} v{number} records no lineage: there is nothing to train it again from.");
        }
        if (lineage.Parameters.TryGetValue(ModelOptimization.ParentVersionParameter, out var parent))
        {
            throw new NotReproducibleException($"{model} v{number} was pruned by cascade optimize from v{parent}, not trained: reproduce v{parent} (./cascade models reproduce {model}/{parent}) and prune that with the same holdout and budget (optimization.* in the lineage).");
        }
        if (lineage.Watermark is not { Partitions.Count: > 0 } || string.IsNullOrEmpty(lineage.FeatureView))
        {
            throw new NotReproducibleException($"{model} v{number} was not trained by Cascade from a feature view ('{lineage.TriggerReason}'): no rows and watermark are recorded to train it again from.");
        }
    }

    /// <exception cref="NotReproducibleException">See <see cref="EnsureReproducible"/>.</exception>
    /// <exception cref="InvalidOperationException">Too few rows are left below the watermark to train at all.</exception>
    /// <exception cref="ArgumentException">The trainer refuses the parameters (an override it does not take).</exception>
    public async Task<ReproductionReport> RunAsync(ReproductionRequest request, CancellationToken cancellationToken)
    {
        var version = request.Version;
        EnsureReproducible(version);
        var (spec, lineage) = (version.Spec, version.Spec.Lineage);
        var causes = new List<string>(request.SettingsCauses);
        var settings = WithOverrides(request.Settings, request.Overrides, causes);

        var set = await TrainingSets.ReadAsync(offline, lineage.FeatureView, lineage.FeatureViewVersion, lineage.Watermark, spec.FeatureNames, settings, cancellationToken);
        if (set.Train.Rows != lineage.TrainingRows)
        {
            causes.Add($"the offline store holds {set.Train.Rows:N0} training rows below the recorded watermark where v{version.Meta.Version} was trained on {lineage.TrainingRows:N0}: rows were erased or are no longer retained");
        }
        if (spec.Holdout is { HoldoutFingerprint.Length: > 0 } holdout && holdout.HoldoutFingerprint != set.HoldoutFingerprint)
        {
            causes.Add("the holdout rows are not those the version was evaluated on (their fingerprint differs)");
        }

        var device = string.IsNullOrEmpty(lineage.Device) ? "cpu" : lineage.Device;
        var validation = set.Validation.Rows > 0 ? set.Validation : null;
        var result = Trainers.Train(set.Train, validation, settings.Options(set.Validation, device, cancellationToken, onRound: null));
        using (result.Model)
        {
            ArtifactWriter.Write(request.OutputDirectory, result, set.Train, validation, request.Original.Manifest.Label ?? "label", request.Original.Manifest.Categorical);
        }
        var reproduced = ModelArtifact.Load(request.OutputDirectory);
        return Compare(request, reproduced, set, causes);
    }

    private static TrainingSettings WithOverrides(TrainingSettings settings, IReadOnlyDictionary<string, string> overrides, List<string> causes)
    {
        if (overrides.Count == 0) return settings;
        var parameters = new Dictionary<string, string>(settings.Parameters, StringComparer.Ordinal);
        foreach (var (name, value) in overrides.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var recorded = parameters.GetValueOrDefault(name);
            if (recorded == value) continue;
            causes.Add($"parameter {name}: recorded {recorded ?? "(not set)"}, retrained with {value} (--param)");
            parameters[name] = value;
        }
        return settings with { Parameters = parameters };
    }

    private static ReproductionReport Compare(ReproductionRequest request, ModelArtifact reproduced, TrainingSet set, List<string> causes)
    {
        var original = request.Original;
        var (originalTrees, reproducedTrees) = (Trees(original.Directory), Trees(reproduced.Directory));
        var differingTrees = Enumerable.Range(0, Math.Max(originalTrees.Count, reproducedTrees.Count))
            .Count(t => t >= originalTrees.Count || t >= reproducedTrees.Count || originalTrees[t] != reproducedTrees[t]);

        var holdout = set.Holdout;
        var before = Predict(original, holdout);
        var after = Predict(reproduced, holdout);
        var differing = 0;
        var largest = 0.0;
        for (var i = 0; i < before.Length; i++)
        {
            if (BitConverter.SingleToUInt32Bits(before[i]) == BitConverter.SingleToUInt32Bits(after[i])) continue;
            differing++;
            largest = Math.Max(largest, Math.Abs((double)before[i] - after[i]));
        }
        var manifest = original.Manifest;
        var metric = PruningBudget.MetricFor(manifest.Objective);
        double Metric(float[] predictions) => ModelMetrics.For(manifest.Objective, holdout.Labels, predictions, manifest.NumClass)[metric];

        var notes = new List<string>();
        var lineage = request.Version.Spec.Lineage;
        if (!string.IsNullOrEmpty(lineage.CodeVersion) && lineage.CodeVersion != request.CodeVersion)
        {
            notes.Add($"trained by code {Short(lineage.CodeVersion)}, retrained by {Short(request.CodeVersion)}");
        }
        if (manifest.XGBoostVersion != reproduced.Manifest.XGBoostVersion)
        {
            notes.Add($"XGBoost {manifest.XGBoostVersion} then, {reproduced.Manifest.XGBoostVersion} now");
        }
        if (manifest.Parameters.GetValueOrDefault("mlnet_version") is { } then && reproduced.Manifest.Parameters.GetValueOrDefault("mlnet_version") is { } now && then != now)
        {
            notes.Add($"ML.NET {then} then, {now} now");
        }
        return new ReproductionReport(
            ModelFileIdentical: manifest.Files[ArtifactFiles.ModelJson] == reproduced.Manifest.Files[ArtifactFiles.ModelJson],
            OriginalModelSha256: manifest.Files[ArtifactFiles.ModelJson],
            ReproducedModelSha256: reproduced.Manifest.Files[ArtifactFiles.ModelJson],
            Trees: originalTrees.Count,
            ReproducedTrees: reproducedTrees.Count,
            DifferingTrees: differingTrees,
            HoldoutRows: holdout.Rows,
            DifferingPredictions: differing,
            MaxPredictionDifference: largest,
            Metric: metric,
            OriginalMetric: Metric(before),
            ReproducedMetric: Metric(after),
            TrainingRows: set.Train.Rows,
            RecordedTrainingRows: lineage.TrainingRows,
            Causes: causes,
            Notes: notes);
    }

    private static float[] Predict(ModelArtifact artifact, TabularData rows)
    {
        var predictions = new float[rows.Rows * artifact.Scorer.OutputCount];
        artifact.Scorer.PredictBatch(rows.Features, rows.Rows, predictions);
        return predictions;
    }

    /// <summary>Each tree of the artifact's XGBoost JSON model, as text, in order.</summary>
    private static List<string> Trees(string directory)
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, ArtifactFiles.ModelJson)));
        return document?["learner"]?["gradient_booster"]?["model"]?["trees"]?.AsArray().Select(t => t?.ToJsonString() ?? string.Empty).ToList() ?? [];
    }

    private static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;
}
