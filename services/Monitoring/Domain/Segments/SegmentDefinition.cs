using Cascade.Monitoring.Domain.Evaluation;
using Cascade.Monitoring.Options;
using Cascade.Ml.Artifacts;

namespace Cascade.Monitoring.Domain.Segments;

/// <summary>
/// Which segment a prediction of one model version belongs to. Two sources: the segment Serving logged with it
/// (<c>PredictionLogged.segment</c>, named by the version's training policy: any dataset column, input or not), or,
/// for an operator's override naming an input of the version, its feature vector (the bin of a numeric input, or the
/// category of a categorical one, decoded with the vocabulary the reference profile carries). Built once per version.
/// </summary>
/// <remarks>
/// Logged segments are named as they come: a numeric column's bins are known in advance; a categorical column's first
/// <c>MaxSegments</c> distinct values each get a segment in stream order (so a replay names them alike), and later
/// ones share <see cref="Other"/>. Not thread-safe: the monitor's lock guards it.
/// </remarks>
public sealed class SegmentDefinition
{
    /// <summary>The segment of the categories beyond the most frequent ones, and of missing or unseen values.</summary>
    public const string Other = "other";

    /// <summary>The segment of a numeric column's missing values.</summary>
    public const string Missing = ModelSegment.Missing;

    /// <summary>A prediction whose segment column the log withheld (or that carries no segment): it belongs to no segment.</summary>
    public const int Unknown = -1;

    private readonly int numericFeature = -1;
    private readonly double[] edges = [];
    private readonly ReferenceCategories? categorical;
    private readonly int[] segmentOfCode = [];
    private readonly List<string> names;
    private readonly Dictionary<string, int> indexOf = new(StringComparer.Ordinal);

    private SegmentDefinition(string column, IEnumerable<string> names, int[] columnFeatures, int capacity)
    {
        Column = column;
        this.names = names.ToList();
        for (var i = 0; i < this.names.Count; i++) indexOf.TryAdd(this.names[i], i);
        ColumnFeatures = columnFeatures;
        Capacity = Math.Max(capacity, this.names.Count);
    }

    private SegmentDefinition(string column, int feature, double[] edges)
        : this(column, ModelSegment.NamesOf(edges), [feature], edges.Length + 2)
    {
        numericFeature = feature;
        this.edges = edges;
    }

    private SegmentDefinition(ReferenceCategories categorical, int maxSegments)
        : this(categorical.Column, TopCategories(categorical, maxSegments).Append(Other), categorical.FeatureIndices.ToArray(), 0)
    {
        this.categorical = categorical;
        segmentOfCode = categorical.Encoding.Vocabulary.Select(category => indexOf.GetValueOrDefault(category, names.Count - 1)).ToArray();
    }

    /// <summary>The segmenting column.</summary>
    public string Column { get; }

    /// <summary>Whether segments come from the log's <c>segment</c> field rather than the feature vector.</summary>
    public bool FromLog { get; private init; }

    /// <summary>The segments' names so far, by index (a logged categorical column's grow as its values arrive).</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>The most segments this definition can name (the size of the trackers' per-segment state).</summary>
    public int Capacity { get; }

    /// <summary>The positions of the features the column is read from (left out of the segments' own drift tests: within a
    /// segment they are constant or confined to a bin by construction); empty for a column that is no input.</summary>
    public IReadOnlyList<int> ColumnFeatures { get; }

    /// <summary>
    /// The definition of a version's segments: <paramref name="configured"/> (an operator's override) when given, else
    /// the version's own <paramref name="policy"/> (from its manifest); null when neither names a column, or with the
    /// reason when the override's column is neither an input nor the policy's (logged) column.
    /// </summary>
    /// <remarks>
    /// The override wins: an input column it names is read from the features with its own bins; the policy's column is
    /// read from the log (bins as the policy set them: Serving binned it). Neither: the version is watched unsegmented.
    /// </remarks>
    public static SegmentDefinition? Resolve(SegmentOptions? configured, ModelSegment? policy, IReadOnlyList<ReferenceDistribution> features,
        IReadOnlyList<ReferenceCategories> categories, out string? problem)
    {
        problem = null;
        if (configured is null) return policy is null ? null : Logged(policy, policy.MaxSegments, features, categories);
        if (FromFeatures(configured, features, categories) is { } fromFeatures) return fromFeatures;
        if (policy is not null && string.Equals(policy.Column, configured.Column, StringComparison.Ordinal)) return Logged(policy, configured.MaxSegments, features, categories);
        problem = policy is null
            ? $"segment column '{configured.Column}' is not an input of this version, so its values are not on the predictions topic: name it in the training policy's monitoring.segment (Serving then logs it)"
            : $"segment column '{configured.Column}' is neither an input of this version nor its training policy's segment column ('{policy.Column}'), so its values are not on the predictions topic";
        return null;
    }

    /// <summary>The definition for <paramref name="options"/>' column among a version's inputs (numeric features by position, categorical columns); null when it is not one of them.</summary>
    private static SegmentDefinition? FromFeatures(SegmentOptions options, IReadOnlyList<ReferenceDistribution> features, IReadOnlyList<ReferenceCategories> categories)
    {
        if (categories.FirstOrDefault(c => string.Equals(c.Column, options.Column, StringComparison.Ordinal)) is { } category)
        {
            return new SegmentDefinition(category, options.MaxSegments);
        }
        var numeric = NumericInput(options.Column, features, categories);
        if (numeric < 0) return null;
        // The reference's own decile edges when none are given (without the range-closing ones, which hold no training rows).
        var edges = options.Bins.Count > 0 ? options.Bins.ToArray() : DecileEdges(features[numeric]);
        return new SegmentDefinition(options.Column, numeric, edges);
    }

    /// <summary>Segments named by the log: a numeric column's bins first, then values as they come, up to <paramref name="maxSegments"/> and <see cref="Other"/>.</summary>
    private static SegmentDefinition Logged(ModelSegment policy, int maxSegments, IReadOnlyList<ReferenceDistribution> features, IReadOnlyList<ReferenceCategories> categories)
    {
        IReadOnlyList<string> known = policy.IsNumeric ? policy.BinNames : [];
        int[] columnFeatures = categories.FirstOrDefault(c => string.Equals(c.Column, policy.Column, StringComparison.Ordinal)) is { } category
            ? category.FeatureIndices.ToArray()
            : NumericInput(policy.Column, features, categories) is var f and >= 0 ? [f] : [];
        // Room for every bin, and for as many values (a sensitive column's hashed labels are new values) as the policy allows, plus other.
        return new SegmentDefinition(policy.Column, known, columnFeatures, Math.Max(known.Count, maxSegments) + 1) { FromLog = true };
    }

    /// <summary>The segment of a prediction with these features; <see cref="Unknown"/> when the log withheld the column.</summary>
    public int Of(ReadOnlySpan<float> features, ReadOnlySpan<int> withheld)
    {
        foreach (var f in ColumnFeatures)
        {
            if (withheld.Contains(f)) return Unknown;
        }
        if (categorical is null) return ModelSegment.BinOf(features[numericFeature], edges);
        Span<float> encoded = stackalloc float[ColumnFeatures.Count];
        for (var i = 0; i < encoded.Length; i++) encoded[i] = features[ColumnFeatures[i]];
        var code = categorical.Encoding.Decode<float>(encoded);
        return code < 0 ? Names.Count - 1 : segmentOfCode[code];
    }

    /// <summary>
    /// The segment of a logged <paramref name="label"/>, naming it when it is new and there is room (the last place is
    /// kept for <see cref="Other"/>); <see cref="Unknown"/> for no label.
    /// </summary>
    public int OfLabel(string? label)
    {
        if (string.IsNullOrEmpty(label)) return Unknown;
        if (indexOf.TryGetValue(label, out var known)) return known;
        return Add(names.Count < Capacity - 1 ? label : Other);
    }

    /// <summary>The segment a logged <paramref name="label"/> was put in, naming nothing: <see cref="Unknown"/> for no label.</summary>
    public int Find(string? label) =>
        string.IsNullOrEmpty(label) ? Unknown : indexOf.TryGetValue(label, out var known) ? known : indexOf.GetValueOrDefault(Other, Unknown);

    /// <summary>The index of the segment named <paramref name="name"/>, or <see cref="Unknown"/>.</summary>
    public int IndexOf(string name) => indexOf.GetValueOrDefault(name, Unknown);

    /// <summary>Names the logged segments a checkpoint named, in its order, before its segments are restored.</summary>
    public void Restore(IReadOnlyList<string>? logged)
    {
        if (!FromLog || logged is null) return;
        foreach (var name in logged)
        {
            if (!indexOf.ContainsKey(name) && names.Count < Capacity) Add(name);
        }
    }

    private int Add(string name)
    {
        if (indexOf.TryGetValue(name, out var existing)) return existing;
        names.Add(name);
        return indexOf[name] = names.Count - 1;
    }

    /// <summary>The position of the numeric input named <paramref name="column"/> (no categorical column's encoding), or -1.</summary>
    private static int NumericInput(string column, IReadOnlyList<ReferenceDistribution> features, IReadOnlyList<ReferenceCategories> categories)
    {
        var encoded = categories.SelectMany(c => c.FeatureIndices).ToHashSet();
        for (var f = 0; f < features.Count; f++)
        {
            if (!encoded.Contains(f) && string.Equals(features[f].Name, column, StringComparison.Ordinal)) return f;
        }
        return -1;
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
