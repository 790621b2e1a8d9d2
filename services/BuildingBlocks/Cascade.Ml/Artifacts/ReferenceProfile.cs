using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cascade.Ml.Artifacts;

/// <summary>
/// The training data's distributions, which drift monitoring compares live traffic against; <c>reference_profile.json</c>
/// in every artifact. One document type, written by training and read by monitoring.
/// </summary>
public sealed record ReferenceProfile
{
    /// <summary>One profile per model input, in the order of the feature vector.</summary>
    [JsonPropertyName("features")] public required IReadOnlyList<DistributionProfile> Features { get; init; }
    /// <summary>The distribution of the model's first output on the training data.</summary>
    [JsonPropertyName("prediction")] public required DistributionProfile Prediction { get; init; }
    /// <summary>
    /// The categorical columns among the features, with their category frequencies; their features keep their
    /// entries in <see cref="Features"/> (one per model input). Null when the model has none, and in older profiles.
    /// </summary>
    [JsonPropertyName("categorical"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<CategoricalProfile>? Categorical { get; init; }

    // Tolerant of "NaN" literals: an all-missing feature has no mean.
    private static readonly JsonSerializerOptions ReadOptions = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Reads a <c>reference_profile.json</c> and validates it.</summary>
    public static ReferenceProfile FromJson(ReadOnlySpan<byte> utf8Json)
    {
        ReferenceProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<ReferenceProfile>(utf8Json, ReadOptions);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The reference profile is not valid JSON of its schema: {ex.Message}", nameof(utf8Json), ex);
        }
        if (profile is null) throw new ArgumentException("The reference profile is empty.", nameof(utf8Json));
        profile.Validate();
        return profile;
    }

    /// <summary>Throws when a profile is unusable or two features share a name.</summary>
    public void Validate()
    {
        if (Features is null || Prediction is null) throw new ArgumentException("A reference profile needs features and a prediction.");
        foreach (var feature in Features) feature.Validate();
        Prediction.Validate();
        var duplicate = Features.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Feature '{duplicate.Key}' appears twice in the reference profile.");
        var names = Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var encoded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var categorical in Categorical ?? [])
        {
            categorical.Validate();
            foreach (var name in categorical.Encoding.FeatureNames)
            {
                if (!names.Contains(name)) throw new ArgumentException($"Categorical profile '{categorical.Encoding.Column}' names feature '{name}', which the profile does not have.");
                if (!encoded.Add(name)) throw new ArgumentException($"Feature '{name}' belongs to two categorical columns of the reference profile.");
            }
        }
    }
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

    /// <summary>Throws when the profile cannot be used to bin live values.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("A feature profile needs a name.");
        if (BinEdges is null || BinCounts is null || Sample is null) throw new ArgumentException($"Profile '{Name}': bin edges, bin counts and sample are required.");
        if (BinCounts.Count != BinEdges.Count + 1)
        {
            throw new ArgumentException($"Profile '{Name}': {BinEdges.Count} inner edges need {BinEdges.Count + 1} bin counts, got {BinCounts.Count}.");
        }
        for (var i = 0; i < BinEdges.Count; i++)
        {
            if (!double.IsFinite(BinEdges[i]) || (i > 0 && BinEdges[i] <= BinEdges[i - 1]))
            {
                throw new ArgumentException($"Profile '{Name}': bin edges must be finite and strictly increasing.");
            }
        }
        if (MissingCount < 0 || BinCounts.Any(c => c < 0)) throw new ArgumentException($"Profile '{Name}': counts cannot be negative.");
        if (Count != MissingCount + BinCounts.Sum()) throw new ArgumentException($"Profile '{Name}': count {Count} is not missing + binned ({MissingCount} + {BinCounts.Sum()}).");
        if (Count == 0) throw new ArgumentException($"Profile '{Name}' describes no rows.");
        if (Sample.Any(float.IsNaN)) throw new ArgumentException($"Profile '{Name}': the sample holds present values only.");
    }
}
