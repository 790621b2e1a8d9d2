using Cascade.Contracts.Features.V1;
using Cascade.Ml.Evaluation.Categorical;
using WireEncoding = Cascade.Contracts.Common.V1.CategoricalEncoding;

namespace Cascade.Features.Domain;

/// <summary>The rules for a view's categorical features, and their encodings once every vocabulary is known.</summary>
public static class CategoricalFeatures
{
    /// <summary>
    /// Most values a vocabulary may hold (listed or <c>top_k</c>). The vocabulary travels with every
    /// <c>FeaturesMaterialized</c> event and training job, and a ONE_HOT column of 1,000 values is already 1,000 features;
    /// a column with more distinct values than that is an identifier rather than a category.
    /// </summary>
    public const int MaxVocabulary = 1000;

    /// <summary>Checks what can be checked before the data is read: fields, ranges, listed vocabularies, aggregations over a categorical column.</summary>
    /// <exception cref="ArgumentException">What to fix.</exception>
    public static void Check(FeatureViewSpec spec)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var categorical in spec.Categoricals)
        {
            var column = categorical.Column;
            if (string.IsNullOrWhiteSpace(column)) throw new ArgumentException($"A categorical feature of view '{spec.Name}' has no column.");
            if (!seen.Add(column)) throw new ArgumentException($"Column '{column}' is declared categorical twice in view '{spec.Name}': declare it once.");
            if (categorical.Encoding is not (WireEncoding.OneHot or WireEncoding.Ordinal))
            {
                throw new ArgumentException($"Categorical column '{column}' has no encoding: use ONE_HOT or ORDINAL.");
            }
            if (categorical.Vocabulary.Count > 0 && categorical.TopK != 0)
            {
                throw new ArgumentException($"Categorical column '{column}' lists a vocabulary and gives top_k {categorical.TopK}: give one of them (the listed vocabulary, or top_k to compute it from the data).");
            }
            if (categorical.Vocabulary.Count == 0 && categorical.TopK == 0)
            {
                throw new ArgumentException($"Categorical column '{column}' needs a vocabulary: list it, or give top_k to keep the K most frequent values of the data.");
            }
            if (categorical.TopK is < 0 or > MaxVocabulary)
            {
                throw new ArgumentException($"Categorical column '{column}': top_k must be from 1 to {MaxVocabulary:N0}; got {categorical.TopK}.");
            }
            if (categorical.Vocabulary.Count > MaxVocabulary)
            {
                throw new ArgumentException($"Categorical column '{column}' lists {categorical.Vocabulary.Count:N0} values; at most {MaxVocabulary:N0}.");
            }
            if (categorical.Vocabulary.Count > 0) _ = Encoding(categorical, categorical.Vocabulary);
        }
        var aggregated = spec.Aggregations.FirstOrDefault(a => seen.Contains(a.Column));
        if (aggregated is not null)
        {
            throw new ArgumentException($"Column '{aggregated.Column}' is categorical: {aggregated.Function} over it has no meaning. Remove the aggregation, or aggregate a numeric column.");
        }
    }

    /// <summary>
    /// The encodings of a checked spec: each column's listed vocabulary, or the one <paramref name="resolved"/> holds for
    /// its <c>top_k</c> (computed from the data when the version was applied).
    /// </summary>
    /// <exception cref="ArgumentException">A resolved vocabulary is missing or invalid.</exception>
    public static IReadOnlyList<CategoricalColumn> Encodings(FeatureViewSpec spec, IReadOnlyDictionary<string, IReadOnlyList<string>>? resolved)
    {
        var encodings = new List<CategoricalColumn>(spec.Categoricals.Count);
        foreach (var categorical in spec.Categoricals)
        {
            IReadOnlyList<string>? vocabulary = categorical.Vocabulary.Count > 0 ? categorical.Vocabulary : resolved?.GetValueOrDefault(categorical.Column);
            if (vocabulary is null)
            {
                throw new ArgumentException($"Categorical column '{categorical.Column}' (top_k {categorical.TopK}) has no vocabulary yet: it is computed from the data when the view is applied.");
            }
            encodings.Add(Encoding(categorical, vocabulary));
        }
        return encodings;
    }

    private static CategoricalColumn Encoding(CategoricalFeature categorical, IReadOnlyList<string> vocabulary)
    {
        var encoding = categorical.Encoding == WireEncoding.OneHot ? CategoricalEncoding.OneHot : CategoricalEncoding.Ordinal;
        // CategoricalColumn's own message names the problem (an empty or repeated value).
        return CategoricalColumn.Create(categorical.Column, encoding, vocabulary, categorical.Name);
    }
}
