using System.Globalization;
using Cascade.Monitoring.Domain.Evaluation;
using Cascade.Monitoring.Options;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Monitoring.Domain.Segments;

/// <summary>
/// Which segment a prediction of one model version belongs to, read from its feature vector: the bin of a numeric
/// input, or the category of a categorical one (decoded with the vocabulary the reference profile carries). Built once
/// per version; a column the model does not read cannot segment its predictions (<see cref="Resolve"/> says why).
/// </summary>
public sealed class SegmentDefinition
{
    /// <summary>The segment of the categories beyond the most frequent ones, and of missing or unseen values.</summary>
    public const string Other = "other";

    /// <summary>The segment of a numeric column's missing values.</summary>
    public const string Missing = "(missing)";

    /// <summary>A prediction whose segment column the log withheld: it belongs to no segment.</summary>
    public const int Unknown = -1;

    private readonly int numericFeature = -1;
    private readonly double[] edges = [];
    private readonly ReferenceCategories? categorical;
    private readonly int[] segmentOfCode = [];

    private SegmentDefinition(string column, string[] names, int[] columnFeatures)
    {
        Column = column;
        Names = names;
        ColumnFeatures = columnFeatures;
    }

    private SegmentDefinition(string column, int feature, double[] edges) : this(column, NumericNames(edges), [feature])
    {
        numericFeature = feature;
        this.edges = edges;
    }

    private SegmentDefinition(ReferenceCategories categorical, int maxSegments)
        : this(categorical.Column, TopCategories(categorical, maxSegments).Append(Other).ToArray(), categorical.FeatureIndices)
    {
        this.categorical = categorical;
        var kept = Names.Take(Names.Count - 1).Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index, StringComparer.Ordinal);
        segmentOfCode = categorical.Encoding.Vocabulary.Select(category => kept.GetValueOrDefault(category, Names.Count - 1)).ToArray();
    }

    /// <summary>The segmenting column.</summary>
    public string Column { get; }

    /// <summary>The segments' names, by index.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The positions of the features the column is read from (left out of the segments' own drift tests: within a
    /// segment they are constant or confined to a bin by construction).</summary>
    public IReadOnlyList<int> ColumnFeatures { get; }

    /// <summary>
    /// The definition for <paramref name="options"/>' column among a version's inputs (numeric features by position,
    /// categorical columns); null with the reason when the column is not one of them.
    /// </summary>
    public static SegmentDefinition? Resolve(SegmentOptions options, IReadOnlyList<ReferenceDistribution> features, IReadOnlyList<ReferenceCategories> categories, out string? problem)
    {
        problem = null;
        if (categories.FirstOrDefault(c => string.Equals(c.Column, options.Column, StringComparison.Ordinal)) is { } category)
        {
            return new SegmentDefinition(category, options.MaxSegments);
        }
        var encoded = categories.SelectMany(c => c.FeatureIndices).ToHashSet();
        for (var f = 0; f < features.Count; f++)
        {
            if (encoded.Contains(f) || !string.Equals(features[f].Name, options.Column, StringComparison.Ordinal)) continue;
            // The reference's own decile edges when none are given (without the range-closing ones, which hold no training rows).
            var edges = options.Bins.Count > 0 ? options.Bins.ToArray() : DecileEdges(features[f]);
            return new SegmentDefinition(options.Column, f, edges);
        }
        problem = $"segment column '{options.Column}' is not an input of this version, so its values are not on the predictions topic";
        return null;
    }

    /// <summary>The segment of a prediction with these features; <see cref="Unknown"/> when the log withheld the column.</summary>
    public int Of(ReadOnlySpan<float> features, ReadOnlySpan<int> withheld)
    {
        foreach (var f in ColumnFeatures)
        {
            if (withheld.Contains(f)) return Unknown;
        }
        if (categorical is null) return Bin(features[numericFeature]);
        Span<float> encoded = stackalloc float[ColumnFeatures.Count];
        for (var i = 0; i < encoded.Length; i++) encoded[i] = features[ColumnFeatures[i]];
        var code = categorical.Encoding.Decode<float>(encoded);
        return code < 0 ? Names.Count - 1 : segmentOfCode[code];
    }

    /// <summary>The segment of a numeric value: its bin, or the last segment (missing) for NaN or a non-finite value.</summary>
    private int Bin(float value)
    {
        if (!float.IsFinite(value)) return edges.Length + 1;
        var bin = 0;
        while (bin < edges.Length && value >= edges[bin]) bin++;
        return bin;
    }

    /// <summary>The profile's inner decile edges (the range-closing edges hold no training rows, so they make no segment).</summary>
    private static double[] DecileEdges(ReferenceDistribution reference)
    {
        var edges = reference.Edges;
        var counts = reference.Counts;
        var first = counts[0] == 0 ? 1 : 0; // a "below range" bin added by the range
        var last = edges.Length > first && counts[edges.Length] == 0 ? edges.Length - 1 : edges.Length; // an "above range" bin
        return edges[first..last];
    }

    private static string[] NumericNames(double[] edges)
    {
        var names = new string[edges.Length + 2];
        names[^1] = Missing;
        if (edges.Length == 0)
        {
            names[0] = "all"; // a constant training column: one bin
            return names;
        }
        for (var i = 0; i <= edges.Length; i++)
        {
            names[i] = i == 0 ? $"< {Format(edges[0])}"
                : i == edges.Length ? $"≥ {Format(edges[^1])}"
                : $"[{Format(edges[i - 1])}, {Format(edges[i])})";
        }
        return names;
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>The training data's most frequent categories (ties in vocabulary order), one segment each.</summary>
    private static IEnumerable<string> TopCategories(ReferenceCategories categorical, int maxSegments)
    {
        var vocabulary = categorical.Encoding.Vocabulary;
        return Enumerable.Range(0, vocabulary.Count)
            .OrderByDescending(code => categorical.Counts[code]).ThenBy(code => code)
            .Take(Math.Min(maxSegments, vocabulary.Count))
            .Select(code => vocabulary[code]);
    }
}
