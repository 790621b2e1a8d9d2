using System.Text;
using System.Text.Json;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Native;
using Cascade.Ml.Signing;
using Cascade.Ml.Training;

namespace Cascade.Ml.Optimization;

/// <summary>An optimised artifact and what it cost and saved.</summary>
/// <param name="Holdout">The holdout rows the budget was measured on, as the model reads them: registering the variant scores its champion on the same rows.</param>
public sealed record OptimizationOutcome(ModelManifest Manifest, PruningResult Pruning, ModelFootprint Before, ModelFootprint After, TabularData Holdout);

/// <summary>
/// <c>cascade optimize</c>: prunes an artifact's XGBoost model within a holdout budget (<see cref="EnsemblePruner"/>)
/// and writes the result as a new artifact with the parent's manifest fields, the lineage (<see cref="ModelOptimization"/>),
/// golden samples XGBoost recomputed on the pruned model, and the model re-saved by XGBoost itself, so the new artifact
/// loads, verifies, exports and serves like any trained one.
/// </summary>
public static class ModelOptimizer
{
    public const string Method = "drop-rounds+merge-leaves";

    /// <param name="signer">Signs the new artifact's manifest, as training workers sign theirs (what registering it needs where Serving requires signatures); null leaves it unsigned.</param>
    /// <exception cref="ArtifactException">The parent is not a loadable XGBoost artifact, or the pruned model disagrees with XGBoost on its golden samples.</exception>
    /// <exception cref="ArgumentException">The holdout has no label column or not the model's features; the output directory is not empty.</exception>
    public static OptimizationOutcome Optimize(string modelDirectory, string holdoutCsv, PruningBudget budget, string outputDirectory, SigningKey? signer = null)
    {
        if (Directory.Exists(outputDirectory) && Directory.EnumerateFileSystemEntries(outputDirectory).Any())
        {
            // Checked before any pruning is done, not only when the artifact is written.
            throw new ArgumentException($"Output directory '{outputDirectory}' is not empty; choose a new directory for the pruned artifact.");
        }
        var parent = ModelArtifact.Load(modelDirectory);
        var manifest = parent.Manifest;
        if (!parent.IsTreeModel)
        {
            throw new ArtifactException($"Only XGBoost tree ensembles can be pruned; this artifact holds a {manifest.EffectiveFramework} model.");
        }
        if (manifest.Label is null)
        {
            throw new ArgumentException("The artifact records no label column, so the holdout's labels cannot be found; pruning needs them.");
        }
        if (PruningBudget.MetricFor(manifest.Objective) != budget.Metric)
        {
            throw new ArgumentException($"A {manifest.Objective} model is budgeted in {PruningBudget.MetricFor(manifest.Objective)}, not {budget.Metric}.");
        }
        var holdout = CsvTable.Read(holdoutCsv, manifest.Label, manifest.FeatureNames, ignoreLabelIfPresent: false, manifest.Categorical);
        var parentJson = File.ReadAllText(Path.Combine(modelDirectory, ArtifactFiles.ModelJson));
        var pruning = EnsemblePruner.Prune(parentJson, holdout, budget);

        // XGBoost itself loads the pruned JSON: its UBJSON and JSON renderings are the artifact's model files, and its
        // predictions are the golden samples the compiled evaluator must then reproduce bit for bit.
        using var xgboost = TrainedModel.Load(Encoding.UTF8.GetBytes(pruning.Json), manifest.Objective, manifest.NumClass, manifest.FeatureNames, manifest.Parameters);
        var goldenRows = GoldenSampleBuilder.ChooseRows(holdout);
        var files = new Dictionary<string, byte[]>
        {
            [ArtifactFiles.ModelUbj] = xgboost.SaveUbj(),
            [ArtifactFiles.ModelJson] = xgboost.SaveJson(),
            [ArtifactFiles.GoldenSamples] = JsonSerializer.SerializeToUtf8Bytes(GoldenSampleBuilder.Record(goldenRows, xgboost.Predict(goldenRows), manifest.OutputsPerRow), ArtifactFiles.Json),
        };
        if (manifest.HasReferenceProfile)
        {
            // The features' distributions are the training data's, unchanged by pruning.
            files[ArtifactFiles.ReferenceProfile] = File.ReadAllBytes(Path.Combine(modelDirectory, ArtifactFiles.ReferenceProfile));
        }
        var metrics = manifest.Metrics.ToDictionary(m => m.Key, m => m.Value);
        var holdoutPredictions = xgboost.Predict(holdout);
        metrics["holdout"] = Metrics.ModelMetrics.For(manifest.Objective, holdout.Labels, holdoutPredictions, manifest.NumClass);
        var lineage = new ModelOptimization
        {
            ParentModelSha256 = manifest.Files[ArtifactFiles.ModelJson],
            ParentManifestSha256 = ArtifactFiles.Sha256(File.ReadAllBytes(Path.Combine(modelDirectory, ArtifactFiles.Manifest))),
            Method = Method,
            Metric = budget.Metric,
            MaxLoss = budget.MaxLoss,
            MetricBefore = pruning.MetricBefore,
            MetricAfter = pruning.MetricAfter,
            HoldoutRows = holdout.Rows,
            HoldoutSha256 = ArtifactFiles.Sha256(File.ReadAllBytes(holdoutCsv)),
            TreesBefore = pruning.TreesBefore,
            TreesAfter = pruning.TreesAfter,
            NodesBefore = pruning.NodesBefore,
            NodesAfter = pruning.NodesAfter,
            LeafPairsMerged = pruning.LeafPairsMerged,
        };
        var written = ArtifactDirectory.Write(outputDirectory, files, hashes => manifest with
        {
            Rounds = pruning.TreesAfter / manifest.OutputsPerRow,
            Metrics = metrics,
            CreatedAt = DateTimeOffset.UtcNow,
            XGBoostVersion = XGBoostLibrary.Version.ToString(),
            Files = hashes,
            Source = null,
            Optimization = lineage,
        }, signer);

        // Loading verifies what was written: hashes, and the compiled evaluator against XGBoost's golden outputs.
        var child = ModelArtifact.Load(outputDirectory);
        var before = ModelFootprint.Measure(parent.Compiled, new FileInfo(Path.Combine(modelDirectory, ArtifactFiles.ModelJson)).Length, holdout);
        var after = ModelFootprint.Measure(child.Compiled, files[ArtifactFiles.ModelJson].LongLength, holdout);
        return new OptimizationOutcome(written, pruning, before, after, holdout);
    }
}
