using System.Globalization;
using Cascade.Contracts.Features.V1;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Features.Domain;

/// <summary>
/// A validated feature view: passthrough columns, windowed aggregates and encoded categorical columns of one dataset,
/// in a fixed output order (numeric features first, then each categorical column's features).
/// </summary>
public sealed class FeatureViewDefinition
{
    private FeatureViewDefinition(FeatureViewSpec spec, int version, IReadOnlyList<FeatureColumn> features, IReadOnlyList<CategoricalColumn> categoricals)
    {
        Spec = spec;
        Version = version;
        Features = features;
        Categoricals = categoricals;
        FeatureNames = features.Select(f => f.Name).Concat(categoricals.SelectMany(c => c.FeatureNames)).ToArray();
        SourceColumns = features.Select(f => f.Source).Distinct(StringComparer.Ordinal).ToArray();
        LongestWindow = features.Where(f => f.Function != AggregationFunction.Unspecified).Select(f => f.Window).DefaultIfEmpty(TimeSpan.Zero).Max();
        TimeToLive = spec.Ttl?.ToTimeSpan() is { } ttl && ttl > TimeSpan.Zero ? ttl : null;
    }

    public FeatureViewSpec Spec { get; }

    public int Version { get; }

    public string Name => Spec.Name;

    /// <summary>The numeric output features (passthrough, then aggregates), in model order.</summary>
    public IReadOnlyList<FeatureColumn> Features { get; }

    /// <summary>The categorical columns with this version's vocabularies; their features follow the numeric ones.</summary>
    public IReadOnlyList<CategoricalColumn> Categoricals { get; }

    /// <summary>Every output feature, in model order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The dataset columns the numeric features read, each once (computed once: the materializer needs it per record).</summary>
    public IReadOnlyList<string> SourceColumns { get; }

    /// <summary>The longest aggregation window: how much history an entity's state must keep.</summary>
    public TimeSpan LongestWindow { get; }

    /// <summary>
    /// The spec's <c>ttl</c>: how long after its last write an entity's vector stays in the online store; null (a zero
    /// or absent <c>ttl</c>) keeps it until it is written again.
    /// </summary>
    public TimeSpan? TimeToLive { get; }

    /// <summary>Whether a categorical column needs its vocabulary computed from the data (<c>top_k</c>).</summary>
    public static bool NeedsData(FeatureViewSpec spec) => spec.Categoricals.Any(c => c.Vocabulary.Count == 0);

    /// <summary>Checks everything that does not depend on the data (what <c>top_k</c> vocabularies will hold).</summary>
    /// <exception cref="ArgumentException">What is wrong with the spec.</exception>
    public static void Check(FeatureViewSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Name) || string.IsNullOrWhiteSpace(spec.Dataset))
        {
            throw new ArgumentException("A feature view needs a name and a source dataset.");
        }
        if (!Cascade.Contracts.ResourceNames.IsValid(spec.Name) || !Cascade.Contracts.ResourceNames.IsValid(spec.Dataset))
        {
            // Found by fuzzing: a source dataset named with an emoji was accepted, and the materializer, which reads the
            // dataset's topic, then failed on every restart of its consumer, leaving Features unhealthy.
            throw new ArgumentException($"Feature view '{spec.Name}' of dataset '{spec.Dataset}': names are 1–64 lower-case letters, digits, '-' or '_', starting with a letter.");
        }
        if (spec.Passthrough.Count == 0 && spec.Aggregations.Count == 0 && spec.Categoricals.Count == 0)
        {
            throw new ArgumentException($"Feature view '{spec.Name}' has no features: add passthrough columns, aggregations or categorical columns.");
        }
        if (spec.Ttl is { } ttl && !Cascade.Contracts.Durations.IsNonNegative(ttl))
        {
            // Found by fuzzing: a non-normalised ttl was stored, and ListFeatureViews then failed to transcode it to JSON.
            throw new ArgumentException($"Feature view '{spec.Name}' has a ttl that is not a valid duration of zero or more: send seconds ≥ 0 and nanos within 0..999,999,999 (e.g. ttl: 90d), or 0s to keep entities in the online store until they are written again.");
        }
        foreach (var aggregation in spec.Aggregations)
        {
            if (aggregation.Function == AggregationFunction.Unspecified)
            {
                throw new ArgumentException($"Aggregation of '{aggregation.Column}' has no function: use COUNT, SUM, MEAN, MIN, MAX or LAST.");
            }
            if (aggregation.Window is { } window && !Cascade.Contracts.Durations.IsNormalized(window))
            {
                throw new ArgumentException($"Aggregation {aggregation.Function} of '{aggregation.Column}' has a window that is not a valid duration (seconds and nanos must have the same sign, nanos within ±999,999,999).");
            }
            if (Window(aggregation) <= TimeSpan.Zero && aggregation.Function != AggregationFunction.Last)
            {
                throw new ArgumentException($"Aggregation {aggregation.Function} of '{aggregation.Column}' needs a positive window.");
            }
        }
        CategoricalFeatures.Check(spec);
    }

    private static TimeSpan Window(Aggregation aggregation) => aggregation.Window?.ToTimeSpan() ?? TimeSpan.Zero;

    /// <summary>The view, with the vocabularies <paramref name="resolved"/> holds for its <c>top_k</c> columns (by column).</summary>
    /// <exception cref="ArgumentException">What is wrong with the spec.</exception>
    public static FeatureViewDefinition From(FeatureViewSpec spec, int version, IReadOnlyDictionary<string, IReadOnlyList<string>>? resolved = null)
    {
        Check(spec);
        var features = new List<FeatureColumn>();
        foreach (var column in spec.Passthrough)
        {
            features.Add(new FeatureColumn(column, column, AggregationFunction.Unspecified, TimeSpan.Zero));
        }
        foreach (var aggregation in spec.Aggregations)
        {
            var window = Window(aggregation);
            var name = string.IsNullOrEmpty(aggregation.Name)
                ? $"{aggregation.Column}_{aggregation.Function.ToString().ToLowerInvariant()}_{(long)window.TotalSeconds}s"
                : aggregation.Name;
            features.Add(new FeatureColumn(name, aggregation.Column, aggregation.Function, window));
        }
        var categoricals = CategoricalFeatures.Encodings(spec, resolved);
        var duplicate = features.Select(f => f.Name).Concat(categoricals.SelectMany(c => c.FeatureNames)).GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Feature name '{duplicate.Key}' appears twice in view '{spec.Name}'.");
        }
        return new FeatureViewDefinition(spec, version, features, categoricals);
    }
}

/// <summary>One numeric output feature: a source column, passed through or aggregated over a window.</summary>
public sealed record FeatureColumn(string Name, string Source, AggregationFunction Function, TimeSpan Window)
{
    public override string ToString() => Function == AggregationFunction.Unspecified ? Name : string.Create(CultureInfo.InvariantCulture, $"{Name} = {Function}({Source}, {Window})");
}
