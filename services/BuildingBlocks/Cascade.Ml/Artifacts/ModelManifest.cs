using System.Text.Json.Serialization;

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
}
