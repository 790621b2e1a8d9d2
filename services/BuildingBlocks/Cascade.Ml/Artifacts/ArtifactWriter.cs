using System.Text.Json;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation.Categorical;
using Cascade.Ml.Metrics;
using Cascade.Ml.Native;
using Cascade.Ml.Signing;
using Cascade.Ml.Training;

namespace Cascade.Ml.Artifacts;

/// <summary>Writes a trained model as an artifact directory: model (UBJSON + JSON), manifest, reference profile, golden samples.</summary>
public static class ArtifactWriter
{
    private const int MinHeldOutRowsForProfile = 200;

    /// <summary>
    /// Writes the artifact into <paramref name="directory"/> (created; must be empty or absent) and returns its
    /// manifest. <paramref name="categoricals"/> are the columns the features encode: the manifest records them and the
    /// reference profile counts their categories. <paramref name="signer"/> signs the manifest (training workers); null
    /// leaves the artifact unsigned (<c>cascade train</c>, offline). <paramref name="monitoring"/> is what the training
    /// policy asked Monitoring to watch (its segment column), recorded with the version.
    /// </summary>
    /// <exception cref="ArgumentException">The directory is not empty, or a categorical column names features the model lacks.</exception>
    public static ModelManifest Write(string directory, TrainingResult result, TabularData train, TabularData? validation, string? labelName, IReadOnlyList<CategoricalColumn>? categoricals = null, SigningKey? signer = null,
        ModelMonitoring? monitoring = null)
    {
        var model = result.Model;
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new ArgumentException($"Output directory '{directory}' is not empty; choose a new directory for the artifact.");
        }
        var files = new Dictionary<string, byte[]>
        {
            [ArtifactFiles.ModelUbj] = model.SaveUbj(),
            [ArtifactFiles.ModelJson] = model.SaveJson(),
        };
        var trainPredictions = model.Predict(train);
        var validationPredictions = validation is { Rows: >= MinHeldOutRowsForProfile } ? model.Predict(validation) : null;
        // Live predictions are made on unseen rows, so their reference is the model's output on held-out rows:
        // on its own training rows a boosted model is more confident than it will ever be in serving, and
        // monitoring would report that difference as prediction drift.
        var profile = ReferenceProfiler.Build(train, validationPredictions ?? trainPredictions, model.OutputsPerRow, categoricals);
        files[ArtifactFiles.ReferenceProfile] = JsonSerializer.SerializeToUtf8Bytes(profile, ArtifactFiles.Json);
        files[ArtifactFiles.GoldenSamples] = JsonSerializer.SerializeToUtf8Bytes(GoldenSamples(model, train), ArtifactFiles.Json);

        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["train"] = ModelMetrics.For(model.Objective, train.Labels, trainPredictions, model.NumClass),
        };
        if (validation?.Labels is { } validLabels)
        {
            metrics["validation"] = ModelMetrics.For(model.Objective, validLabels, validationPredictions ?? model.Predict(validation), model.NumClass);
        }
        return ArtifactDirectory.Write(directory, files, hashes => new ModelManifest
        {
            Framework = ModelFrameworks.XGBoost,
            Objective = model.Objective,
            NumClass = model.NumClass,
            OutputsPerRow = model.OutputsPerRow,
            FeatureNames = model.FeatureNames,
            FeatureTypes = model.FeatureNames.Select(_ => "float32").ToArray(),
            Label = labelName,
            Parameters = model.Parameters,
            Rounds = model.Rounds,
            TrainingRows = train.Rows,
            LabelSummary = LabelSummary(train.Labels!),
            Metrics = metrics,
            TrainingSeconds = result.Duration.TotalSeconds,
            CreatedAt = DateTimeOffset.UtcNow,
            XGBoostVersion = XGBoostLibrary.Version.ToString(),
            Files = hashes,
            Categorical = categoricals is { Count: > 0 } ? categoricals : null,
            Monitoring = monitoring?.Segment is null ? null : monitoring,
        }, signer);
    }

    private static List<GoldenSample> GoldenSamples(TrainedModel model, TabularData train)
    {
        var table = GoldenSampleBuilder.ChooseRows(train);
        return GoldenSampleBuilder.Record(table, model.Predict(table), model.OutputsPerRow);
    }

    internal static Dictionary<string, double> LabelSummary(float[] labels)
    {
        var summary = new Dictionary<string, double> { ["mean"] = labels.Average(l => (double)l), ["min"] = labels.Min(), ["max"] = labels.Max() };
        var distinct = labels.Distinct().ToArray();
        if (distinct.Length <= 20)
        {
            foreach (var value in distinct.OrderBy(v => v))
            {
                summary[$"count_{value}"] = labels.Count(l => l == value);
            }
        }
        return summary;
    }
}
