using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Monitoring.Domain.Evaluation;

/// <summary>
/// A <see cref="CategoricalProfile"/> prepared once per model version: the column's encoder, where its features sit
/// in the model's vector, and the reference counts with the missing/unseen category last.
/// </summary>
public sealed class ReferenceCategories
{
    /// <summary>Prepares <paramref name="profile"/> for vectors whose features are named <paramref name="featureNames"/> in order.</summary>
    /// <exception cref="ArgumentException">The profile is invalid or names a feature the vectors lack.</exception>
    public ReferenceCategories(CategoricalProfile profile, IReadOnlyList<string> featureNames)
    {
        profile.Validate();
        Encoding = profile.Encoding;
        var positions = featureNames.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index, StringComparer.Ordinal);
        FeatureIndices = Encoding.FeatureNames.Select(name => positions.TryGetValue(name, out var index)
            ? index
            : throw new ArgumentException($"Categorical column '{Encoding.Column}' is encoded as feature '{name}', which the profile does not have.")).ToArray();
        Counts = profile.Counts.Append(profile.MissingCount).ToArray();
        Categories = Encoding.Vocabulary.Append(CategoricalColumn.MissingCategory).ToArray();
    }

    /// <summary>The column's name (what alerts name).</summary>
    public string Column => Encoding.Column;

    /// <summary>How the column's values were encoded (and are read back).</summary>
    public CategoricalColumn Encoding { get; }

    /// <summary>The positions of the column's features in the model's vector, in the encoder's order.</summary>
    public int[] FeatureIndices { get; }

    /// <summary>Reference rows per category, then the missing/unseen count.</summary>
    public long[] Counts { get; }

    /// <summary>The category names in the order of <see cref="Counts"/>.</summary>
    public string[] Categories { get; }
}
