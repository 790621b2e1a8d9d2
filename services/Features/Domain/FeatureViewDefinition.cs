using System.Globalization;
using Cascade.Contracts.Features.V1;

namespace Cascade.Features.Domain;

/// <summary>A validated feature view: passthrough columns and windowed aggregates of one dataset, in a fixed output order.</summary>
public sealed class FeatureViewDefinition
{
    private FeatureViewDefinition(FeatureViewSpec spec, int version, IReadOnlyList<FeatureColumn> features)
    {
        Spec = spec;
        Version = version;
        Features = features;
        FeatureNames = features.Select(f => f.Name).ToArray();
        SourceColumns = features.Select(f => f.Source).Distinct(StringComparer.Ordinal).ToArray();
        LongestWindow = features.Where(f => f.Function != AggregationFunction.Unspecified).Select(f => f.Window).DefaultIfEmpty(TimeSpan.Zero).Max();
    }

    public FeatureViewSpec Spec { get; }

    public int Version { get; }

    public string Name => Spec.Name;

    /// <summary>The output features, in model order.</summary>
    public IReadOnlyList<FeatureColumn> Features { get; }

    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The dataset columns the features read, each once (computed once: the materializer needs it per record).</summary>
    public IReadOnlyList<string> SourceColumns { get; }

    /// <summary>The longest aggregation window: how much history an entity's state must keep.</summary>
    public TimeSpan LongestWindow { get; }

    /// <exception cref="ArgumentException">What is wrong with the spec.</exception>
    public static FeatureViewDefinition From(FeatureViewSpec spec, int version)
    {
        if (string.IsNullOrWhiteSpace(spec.Name) || string.IsNullOrWhiteSpace(spec.Dataset))
        {
            throw new ArgumentException("A feature view needs a name and a source dataset.");
        }
        var features = new List<FeatureColumn>();
        foreach (var column in spec.Passthrough)
        {
            features.Add(new FeatureColumn(column, column, AggregationFunction.Unspecified, TimeSpan.Zero));
        }
        foreach (var aggregation in spec.Aggregations)
        {
            if (aggregation.Function == AggregationFunction.Unspecified)
            {
                throw new ArgumentException($"Aggregation of '{aggregation.Column}' has no function: use COUNT, SUM, MEAN, MIN, MAX or LAST.");
            }
            var window = aggregation.Window?.ToTimeSpan() ?? TimeSpan.Zero;
            if (window <= TimeSpan.Zero && aggregation.Function != AggregationFunction.Last)
            {
                throw new ArgumentException($"Aggregation {aggregation.Function} of '{aggregation.Column}' needs a positive window.");
            }
            var name = string.IsNullOrEmpty(aggregation.Name)
                ? $"{aggregation.Column}_{aggregation.Function.ToString().ToLowerInvariant()}_{(long)window.TotalSeconds}s"
                : aggregation.Name;
            features.Add(new FeatureColumn(name, aggregation.Column, aggregation.Function, window));
        }
        if (features.Count == 0)
        {
            throw new ArgumentException($"Feature view '{spec.Name}' has no features: add passthrough columns or aggregations.");
        }
        var duplicate = features.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Feature name '{duplicate.Key}' appears twice in view '{spec.Name}'.");
        }
        return new FeatureViewDefinition(spec, version, features);
    }
}

/// <summary>One output feature: a source column, passed through or aggregated over a window.</summary>
public sealed record FeatureColumn(string Name, string Source, AggregationFunction Function, TimeSpan Window)
{
    public override string ToString() => Function == AggregationFunction.Unspecified ? Name : string.Create(CultureInfo.InvariantCulture, $"{Name} = {Function}({Source}, {Window})");
}
