using System.Text.Json.Serialization;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Ml.Artifacts;

/// <summary>What a model artifact holds and how it was made; <c>manifest.json</c>.</summary>
public sealed record ModelManifest
{
    /// <summary>Version of this artifact layout.</summary>
    public const int CurrentFormatVersion = 1;

    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormatVersion;
    [JsonPropertyName("objective")] public required string Objective { get; init; }
    [JsonPropertyName("num_class")] public required int NumClass { get; init; }
    [JsonPropertyName("outputs_per_row")] public required int OutputsPerRow { get; init; }
    [JsonPropertyName("feature_names")] public required IReadOnlyList<string> FeatureNames { get; init; }
    /// <summary>Every feature is read as float32; NaN marks a missing value.</summary>
    [JsonPropertyName("feature_types")] public required IReadOnlyList<string> FeatureTypes { get; init; }
    [JsonPropertyName("label")] public string? Label { get; init; }
    [JsonPropertyName("parameters")] public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    [JsonPropertyName("rounds")] public required int Rounds { get; init; }
    [JsonPropertyName("training_rows")] public required int TrainingRows { get; init; }
    [JsonPropertyName("label_summary")] public required IReadOnlyDictionary<string, double> LabelSummary { get; init; }
    [JsonPropertyName("metrics")] public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics { get; init; }
    [JsonPropertyName("training_seconds")] public double TrainingSeconds { get; init; }
    [JsonPropertyName("created_at")] public required DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("xgboost_version")] public required string XGBoostVersion { get; init; }
    /// <summary>SHA-256 of every other file of the artifact, by file name.</summary>
    [JsonPropertyName("files")] public required IReadOnlyDictionary<string, string> Files { get; init; }

    /// <summary>
    /// What runs the model: <see cref="ModelFrameworks.XGBoost"/> (compiled trees) or <see cref="ModelFrameworks.Onnx"/>
    /// (ONNX Runtime). Artifacts written before imports existed have none and are XGBoost.
    /// </summary>
    [JsonPropertyName("framework")] public string? Framework { get; init; }

    /// <summary>
    /// Whether the artifact holds a <c>reference_profile.json</c>. Artifacts written before imports existed always do
    /// (the default); a model imported without a sample has none, and monitoring reports "no reference" for it.
    /// </summary>
    [JsonPropertyName("has_reference_profile")] public bool HasReferenceProfile { get; init; } = true;

    /// <summary>The file a model was imported from, kept in the artifact as uploaded; null for a model trained by Cascade.</summary>
    [JsonPropertyName("source")] public ModelSource? Source { get; init; }

    /// <summary>The ONNX Runtime version that computed the golden samples of an ONNX model.</summary>
    [JsonPropertyName("onnxruntime_version")] public string? OnnxRuntimeVersion { get; init; }

    /// <summary>
    /// The categorical columns the model's features encode (encoding, vocabulary in code order, output feature names),
    /// as the feature view version that made the training rows encoded them: <c>cascade predict</c> encodes raw CSV
    /// cells with it. Null for a model without categorical features, and for artifacts that predate it.
    /// </summary>
    [JsonPropertyName("categorical"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<CategoricalColumn>? Categorical { get; init; }

    /// <summary>
    /// For a model made from another by <c>cascade optimize</c>: the parent, the method and the budget it was pruned
    /// within (<see cref="Optimization.ModelOptimization"/>). Null for every other model.
    /// </summary>
    [JsonPropertyName("optimization"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Optimization.ModelOptimization? Optimization { get; init; }

    /// <summary>
    /// What Monitoring watches of the version beyond the whole traffic (its segment column), from the training policy's
    /// <c>monitoring</c> block. Null when the policy had none, for imported models, and for artifacts that predate it.
    /// </summary>
    [JsonPropertyName("monitoring"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ModelMonitoring? Monitoring { get; init; }

    /// <summary><see cref="Framework"/>, with the default of artifacts that predate it.</summary>
    [JsonIgnore] public string EffectiveFramework => Framework ?? ModelFrameworks.XGBoost;
}

/// <summary>Where an imported model came from: its file name as given and its SHA-256, and the artifact file that holds its bytes.</summary>
public sealed record ModelSource
{
    /// <summary>The file's name when it was imported (no directory).</summary>
    [JsonPropertyName("file_name")] public required string FileName { get; init; }
    /// <summary>SHA-256 of the file as uploaded.</summary>
    [JsonPropertyName("sha256")] public required string Sha256 { get; init; }
    /// <summary>The artifact file holding those bytes unchanged (hashed in <see cref="ModelManifest.Files"/> like every other).</summary>
    [JsonPropertyName("artifact_file")] public required string ArtifactFile { get; init; }
}
