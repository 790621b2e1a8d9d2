using System.Text.Json.Serialization;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Ml.Artifacts;

/// <summary>
/// One categorical column in a reference profile: how its values were encoded into features, and how often each
/// category occurred, plus the rows whose value was missing or outside the vocabulary (which encode alike).
/// Monitoring compares live category counts with these instead of binning the encoded features.
/// </summary>
public sealed record CategoricalProfile
{
    /// <summary>The column, its vocabulary and the model features that encode it.</summary>
    [JsonPropertyName("encoding")] public required CategoricalColumn Encoding { get; init; }

    /// <summary>Rows per category, in vocabulary order.</summary>
    [JsonPropertyName("counts")] public required IReadOnlyList<long> Counts { get; init; }

    /// <summary>Rows whose value was missing or not in the vocabulary (<see cref="CategoricalColumn.MissingCategory"/>).</summary>
    [JsonPropertyName("missing_count")] public required long MissingCount { get; init; }

    /// <summary>Throws when the counts do not fit the vocabulary or are negative.</summary>
    public void Validate()
    {
        if (Encoding is null || Counts is null) throw new ArgumentException("A categorical profile needs its encoding and counts.");
        var column = Encoding.Column;
        if (Counts.Count != Encoding.Vocabulary.Count)
        {
            throw new ArgumentException($"Categorical profile '{column}': {Encoding.Vocabulary.Count} categories need {Encoding.Vocabulary.Count} counts, got {Counts.Count}.");
        }
        if (MissingCount < 0 || Counts.Any(c => c < 0)) throw new ArgumentException($"Categorical profile '{column}': counts cannot be negative.");
        if (MissingCount + Counts.Sum() == 0) throw new ArgumentException($"Categorical profile '{column}' describes no rows.");
    }
}
