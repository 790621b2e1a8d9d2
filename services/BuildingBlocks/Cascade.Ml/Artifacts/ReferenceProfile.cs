using System.Text.Json.Serialization;

namespace Cascade.Ml.Artifacts;

/// <summary>The training data's distributions, which drift monitoring compares live traffic against; <c>reference_profile.json</c>.</summary>
public sealed record ReferenceProfile
{
    [JsonPropertyName("features")] public required IReadOnlyList<DistributionProfile> Features { get; init; }
    /// <summary>The distribution of the model's first output on the training data.</summary>
    [JsonPropertyName("prediction")] public required DistributionProfile Prediction { get; init; }
}

/// <summary>One variable's distribution: quantile bins with counts, moments, and a sample for KS and Wasserstein tests.</summary>
public sealed record DistributionProfile
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("count")] public required long Count { get; init; }
    [JsonPropertyName("missing_count")] public required long MissingCount { get; init; }
    /// <summary>Inner bin edges (training deciles, deduplicated); bin i holds values in [edge(i−1), edge(i)).</summary>
    [JsonPropertyName("bin_edges")] public required IReadOnlyList<double> BinEdges { get; init; }
    /// <summary>Non-missing values per bin; one more entry than <see cref="BinEdges"/>.</summary>
    [JsonPropertyName("bin_counts")] public required IReadOnlyList<long> BinCounts { get; init; }
    [JsonPropertyName("mean")] public required double Mean { get; init; }
    [JsonPropertyName("std")] public required double Std { get; init; }
    [JsonPropertyName("min")] public required double Min { get; init; }
    [JsonPropertyName("max")] public required double Max { get; init; }
    /// <summary>Up to 1,000 non-missing values, evenly spaced through the data.</summary>
    [JsonPropertyName("sample")] public required IReadOnlyList<float> Sample { get; init; }
}
