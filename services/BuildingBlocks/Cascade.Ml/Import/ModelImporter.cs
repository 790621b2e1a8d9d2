using System.Security.Cryptography;
using System.Text.Json;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Metrics;
using Cascade.Ml.Signing;

namespace Cascade.Ml.Import;

/// <summary>
/// Turns a model trained elsewhere into a Cascade artifact: the file as uploaded (hashed), what serves it (compiled trees
/// for XGBoost, the graph for ONNX), golden samples computed by the engine that made it, and, from a sample, a
/// reference profile and the sample's metrics. The caller loads the result with <see cref="ModelArtifact.Load"/>,
/// which checks it exactly as Serving will.
/// </summary>
public static class ModelImporter
{
    /// <summary>The label column read from a sample when none is named.</summary>
    public const string DefaultLabel = "label";

    /// <summary>
    /// Writes the artifact of <paramref name="request"/> into <paramref name="directory"/> (created; must be empty or
    /// absent), its manifest signed by <paramref name="signer"/> (null: unsigned, which Serving refuses unless told otherwise).
    /// </summary>
    /// <exception cref="ImportException">The file is unreadable or unsupported, or the names, sample or labels do not fit it.</exception>
    /// <exception cref="CsvFormatException">The sample is not a numeric CSV with the model's columns.</exception>
    public static ImportedModel Import(ImportRequest request, string directory, SigningKey? signer = null)
    {
        if (!File.Exists(request.ModelFile))
        {
            throw new ImportException($"{request.ModelFile}: file not found.");
        }
        var fileName = Path.GetFileName(request.ModelFile);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        var source = File.ReadAllBytes(request.ModelFile);
        using IImportedFormat model = extension switch
        {
            ".json" or ".ubj" => XGBoostImport.Open(source, fileName),
            ".onnx" => OnnxImport.Open(source, fileName, request.FeatureNames?.Count),
            ".zip" => MlNetImport.Open(source, fileName, request.FeatureNames),
            _ => throw new ImportException($"{fileName}: '{extension}' files are not supported; import an XGBoost model saved as .json or .ubj (Booster.save_model), an ONNX model (.onnx) or an ML.NET tree model (.zip, mlContext.Model.Save)."),
        };

        var names = FeatureNames(request, model, fileName);
        var (sample, sampleSha256, labelColumn) = ReadSample(request, names);
        if (sample is not null && !model.HandlesMissingValues)
        {
            RequireComplete(sample, request.SampleFile!);
        }
        var goldenRows = GoldenSampleBuilder.ChooseRows(sample ?? model.GenerateRows(names), withMissing: model.HandlesMissingValues);
        var goldenOutputs = model.Predict(goldenRows);
        var nonFinite = Array.FindIndex(goldenOutputs, v => !float.IsFinite(v));
        if (nonFinite >= 0)
        {
            throw new ImportException($"{fileName} outputs {goldenOutputs[nonFinite]} for golden row {nonFinite / model.OutputCount + 1} ({string.Join(", ", goldenRows.Row(nonFinite / model.OutputCount).ToArray())}); a served model must give finite outputs.");
        }
        var samplePredictions = sample is null ? null : model.Predict(sample);
        var (objective, inferred) = ImportObjective.Decide(model, request.Objective, samplePredictions ?? goldenOutputs, sample?.Labels);
        if (sample?.Labels is { } labels)
        {
            ImportObjective.CheckLabels(objective, labels, model.OutputCount, labelColumn!);
        }
        var numClass = objective == "multi:softprob" ? model.OutputCount : 1;

        var (modelFiles, sourceFile) = model.ArtifactFiles(extension);
        var files = new Dictionary<string, byte[]>(modelFiles)
        {
            [ArtifactFiles.GoldenSamples] = JsonSerializer.SerializeToUtf8Bytes(GoldenSampleBuilder.Record(goldenRows, goldenOutputs, model.OutputCount), ArtifactFiles.Json),
        };
        if (sample is not null)
        {
            files[ArtifactFiles.ReferenceProfile] = JsonSerializer.SerializeToUtf8Bytes(ReferenceProfiler.Build(sample, samplePredictions, model.OutputCount), ArtifactFiles.Json);
        }
        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        if (sample?.Labels is { } sampleLabels)
        {
            // A metric the sample cannot define (AUC of a single class) is left out rather than written as NaN.
            metrics["sample"] = ModelMetrics.For(objective, sampleLabels, samplePredictions, numClass).Where(m => double.IsFinite(m.Value)).ToDictionary();
        }
        var parameters = new Dictionary<string, string>(model.Parameters) { ["objective"] = objective };
        var manifest = ArtifactDirectory.Write(directory, files, hashes => new ModelManifest
        {
            Framework = model.Framework,
            Objective = objective,
            NumClass = numClass,
            OutputsPerRow = model.OutputCount,
            FeatureNames = names,
            FeatureTypes = names.Select(_ => "float32").ToArray(),
            Label = labelColumn,
            Parameters = parameters,
            Rounds = model.Rounds,
            // Trained elsewhere: Cascade does not know the training rows; the sample is not them.
            TrainingRows = 0,
            LabelSummary = sample?.Labels is { } l ? ArtifactWriter.LabelSummary(l) : new Dictionary<string, double>(),
            Metrics = metrics,
            CreatedAt = DateTimeOffset.UtcNow,
            XGBoostVersion = model.Framework == ModelFrameworks.XGBoost ? model.EngineVersion : string.Empty,
            OnnxRuntimeVersion = model.Framework == ModelFrameworks.Onnx ? model.EngineVersion : null,
            HasReferenceProfile = sample is not null,
            Source = new ModelSource { FileName = fileName, Sha256 = hashes[sourceFile], ArtifactFile = sourceFile },
            Files = hashes,
        }, signer);
        return new ImportedModel(Path.GetFullPath(directory), manifest, sample, sampleSha256, inferred);
    }

    /// <summary>A model that need not accept missing values (an ONNX graph computes NaN from them) gets none from the sample.</summary>
    /// <exception cref="ImportException">A sample cell is empty, naming its row and column.</exception>
    private static void RequireComplete(TabularData sample, string path)
    {
        for (var i = 0; i < sample.Features.Length; i++)
        {
            if (float.IsNaN(sample.Features[i]))
            {
                throw new ImportException($"{path}, data row {i / sample.Columns + 1}, column '{sample.FeatureNames[i % sample.Columns]}': the cell is empty, and ONNX graphs are not given missing values (most compute NaN from them); fill it or drop the row.");
            }
        }
    }

    private static IReadOnlyList<string> FeatureNames(ImportRequest request, IImportedFormat model, string fileName)
    {
        var names = request.FeatureNames ?? model.StoredFeatureNames
            ?? throw new ImportException($"{fileName} stores no feature names: pass them in input order with --features a,b,c ({model.FeatureCount} names).");
        if (names.Count != model.FeatureCount)
        {
            throw new ImportException($"{names.Count} feature names for a model that takes {model.FeatureCount} features per row; name each input once, in order.");
        }
        var invalid = names.FirstOrDefault(n => string.IsNullOrWhiteSpace(n) || n.Contains(','));
        if (invalid is not null)
        {
            throw new ImportException($"Feature name '{invalid}' is empty or contains a comma.");
        }
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ImportException($"Feature '{duplicate.Key}' is named twice; every input needs its own name.");
        }
        return names;
    }

    /// <summary>The sample in the model's feature order, its SHA-256, and the label column read (null: no labels).</summary>
    private static (TabularData? Sample, string? Sha256, string? LabelColumn) ReadSample(ImportRequest request, IReadOnlyList<string> names)
    {
        if (request.SampleFile is not { } path)
        {
            return request.LabelColumn is null
                ? (null, null, null)
                : throw new ImportException("--label names a column of the sample: pass the sample with --sample FILE.csv.");
        }
        if (!File.Exists(path))
        {
            throw new CsvFormatException($"{path}: file not found.");
        }
        var label = request.LabelColumn ?? DefaultLabel;
        var hasLabel = Header(path).Contains(label);
        if (request.LabelColumn is not null && !hasLabel)
        {
            throw new CsvFormatException($"{path}: label column '{label}' is not in the header ({string.Join(", ", Header(path))}).");
        }
        var sample = CsvTable.Read(path, hasLabel ? label : null, names);
        if (sample.Rows == 0)
        {
            throw new CsvFormatException($"{path}: the sample has a header but no rows.");
        }
        return (sample, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), hasLabel ? label : null);
    }

    private static string[] Header(string path) =>
        (File.ReadLines(path).FirstOrDefault() ?? string.Empty).Split(',').Select(c => c.Trim().Trim('"')).ToArray();
}
