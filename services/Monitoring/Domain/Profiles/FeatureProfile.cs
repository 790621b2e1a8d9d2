using System.Text.Json.Serialization;

namespace Cascade.Monitoring.Domain.Profiles;

/// <summary>
/// One variable's training distribution: quantile bins with counts, missing count, moments, range and a sample of
/// training values. Field names match the <c>reference_profile.json</c> that training writes into every artifact.
/// </summary>
/// <param name="Name">The feature name (or "prediction").</param>
/// <param name="BinEdges">Inner bin edges, strictly increasing; bin i holds values in [edge(i−1), edge(i)), the outer bins are open.</param>
/// <param name="BinCounts">Non-missing training values per bin; one more entry than <paramref name="BinEdges"/>.</param>
/// <param name="MissingCount">Training rows where the value was missing (NaN).</param>
/// <param name="Mean">Mean of the non-missing values.</param>
/// <param name="Std">Sample standard deviation of the non-missing values.</param>
/// <param name="Min">Smallest non-missing value.</param>
/// <param name="Max">Largest non-missing value.</param>
/// <param name="Sample">Up to about 1,000 non-missing training values, for the sample-based tests (KS, Wasserstein).</param>
public sealed record FeatureProfile(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("bin_edges")] IReadOnlyList<double> BinEdges,
    [property: JsonPropertyName("bin_counts")] IReadOnlyList<long> BinCounts,
    [property: JsonPropertyName("missing_count")] long MissingCount,
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("std")] double Std,
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("sample")] IReadOnlyList<float> Sample)
{
    /// <summary>Rows profiled, missing ones included.</summary>
    public long Count => MissingCount + BinCounts.Sum();

    /// <summary>Throws when the profile cannot be used to bin live values.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("A feature profile needs a name.");
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
        if (Count == 0) throw new ArgumentException($"Profile '{Name}' describes no rows.");
        if (Sample.Any(float.IsNaN)) throw new ArgumentException($"Profile '{Name}': the sample holds present values only.");
    }
}
