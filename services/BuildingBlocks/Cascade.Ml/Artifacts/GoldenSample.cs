using System.Text.Json.Serialization;

namespace Cascade.Ml.Artifacts;

/// <summary>An input row with XGBoost's exact outputs for it; loaders re-check them (<c>golden_samples.json</c>).</summary>
public sealed record GoldenSample
{
    /// <summary>Inputs; null marks a missing value (JSON has no NaN).</summary>
    [JsonPropertyName("features")] public required IReadOnlyList<float?> Features { get; init; }
    /// <summary>Outputs as XGBoost computed them.</summary>
    [JsonPropertyName("outputs")] public required IReadOnlyList<float> Outputs { get; init; }
    /// <summary>The outputs' float32 bit patterns, for a bit-exact comparison independent of decimal formatting.</summary>
    [JsonPropertyName("output_bits")] public required IReadOnlyList<uint> OutputBits { get; init; }
}
