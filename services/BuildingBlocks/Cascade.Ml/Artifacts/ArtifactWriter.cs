using System.Text.Json;
using Cascade.Ml.Data;
using Cascade.Ml.Metrics;
using Cascade.Ml.Native;
using Cascade.Ml.Training;

namespace Cascade.Ml.Artifacts;

/// <summary>Writes a trained model as an artifact directory: model (UBJSON + JSON), manifest, reference profile, golden samples.</summary>
public static class ArtifactWriter
{
    private const int GoldenRows = 28;
    private const int GoldenRowsWithMissing = 4;
    private const int MinHeldOutRowsForProfile = 200;

    /// <summary>Writes the artifact into <paramref name="directory"/> (created; must be empty or absent) and returns its manifest.</summary>
    public static ModelManifest Write(string directory, TrainingResult result, TabularData train, TabularData? validation, string? labelName)
    {
        var model = result.Model;
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new ArgumentException($"Output directory '{directory}' is not empty; choose a new directory for the artifact.");
        }
        // Write into a sibling temporary directory, then rename: a failure never leaves half an artifact.
        var full = Path.GetFullPath(directory);
        var staging = full.TrimEnd(Path.DirectorySeparatorChar) + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        try
        {
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
            var profile = ReferenceProfiler.Build(train, validationPredictions ?? trainPredictions, model.OutputsPerRow);
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
            var manifest = new ModelManifest
            {
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
                Files = files.ToDictionary(f => f.Key, f => ArtifactFiles.Sha256(f.Value)),
            };
            foreach (var (name, content) in files)
            {
                File.WriteAllBytes(Path.Combine(staging, name), content);
            }
            File.WriteAllBytes(Path.Combine(staging, ArtifactFiles.Manifest), JsonSerializer.SerializeToUtf8Bytes(manifest, ArtifactFiles.Json));
            if (Directory.Exists(full))
            {
                Directory.Delete(full);
            }
            Directory.Move(staging, full);
            return manifest;
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static List<GoldenSample> GoldenSamples(TrainedModel model, TabularData train)
    {
        var rows = Math.Min(GoldenRows, train.Rows);
        var withMissing = Math.Min(GoldenRowsWithMissing, train.Rows);
        var inputs = new float[(rows + withMissing) * train.Columns];
        for (var r = 0; r < rows; r++)
        {
            train.Row(r * train.Rows / rows).CopyTo(inputs.AsSpan(r * train.Columns));
        }
        for (var m = 0; m < withMissing; m++)
        {
            var target = inputs.AsSpan((rows + m) * train.Columns, train.Columns);
            train.Row(m).CopyTo(target);
            // Missing values exercise the default-child path of every split on those features.
            for (var c = m % 2; c < train.Columns; c += 2)
            {
                target[c] = float.NaN;
            }
        }
        var table = new TabularData(inputs, rows + withMissing, train.FeatureNames);
        var outputs = model.Predict(table);
        var samples = new List<GoldenSample>(table.Rows);
        for (var r = 0; r < table.Rows; r++)
        {
            var output = outputs.AsSpan(r * model.OutputsPerRow, model.OutputsPerRow).ToArray();
            samples.Add(new GoldenSample
            {
                Features = table.Row(r).ToArray().Select(v => float.IsNaN(v) ? (float?)null : v).ToArray(),
                Outputs = output,
                OutputBits = output.Select(BitConverter.SingleToUInt32Bits).ToArray(),
            });
        }
        return samples;
    }

    private static Dictionary<string, double> LabelSummary(float[] labels)
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
