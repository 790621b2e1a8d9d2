using Cascade.Cli.Specs.Model;
using Cascade.Contracts.Features.V1;

namespace Cascade.Cli.Specs.Wire;

/// <summary>Feature view specs to and from Features' <see cref="FeatureViewSpec"/>.</summary>
internal static class FeatureViewMapping
{
    public static FeatureViewSpec ToProto(string name, FeatureViewSpecification view)
    {
        var spec = new FeatureViewSpec { Name = name, Dataset = view.Dataset, Ttl = WireDurations.ToProto(view.Ttl) };
        spec.Passthrough.AddRange(view.Passthrough);
        spec.Aggregations.AddRange(view.Aggregations.Select(a => new Aggregation
        {
            Column = a.Column, Function = ToProto(a.Function), Window = WireDurations.ToProto(a.Window), Name = a.Name ?? "",
        }));
        return spec;
    }

    /// <exception cref="InvalidDataException">An aggregation without a function (Features refuses those).</exception>
    public static SpecObject FromProto(FeatureViewSpec spec) => new(spec.Name, new FeatureViewSpecification(
        spec.Dataset,
        spec.Passthrough.ToArray(),
        spec.Aggregations.Select(a => new AggregationSpecification(a.Column, FromProto(a.Function, spec.Name), WireDurations.FromProto(a.Window), string.IsNullOrEmpty(a.Name) ? null : a.Name)).ToArray(),
        WireDurations.FromProto(spec.Ttl)));

    private static AggregationFunction ToProto(AggregationKind kind) => kind switch
    {
        AggregationKind.Count => AggregationFunction.Count,
        AggregationKind.Sum => AggregationFunction.Sum,
        AggregationKind.Mean => AggregationFunction.Mean,
        AggregationKind.Min => AggregationFunction.Min,
        AggregationKind.Max => AggregationFunction.Max,
        AggregationKind.Last => AggregationFunction.Last,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static AggregationKind FromProto(AggregationFunction function, string view) => function switch
    {
        AggregationFunction.Count => AggregationKind.Count,
        AggregationFunction.Sum => AggregationKind.Sum,
        AggregationFunction.Mean => AggregationKind.Mean,
        AggregationFunction.Min => AggregationKind.Min,
        AggregationFunction.Max => AggregationKind.Max,
        AggregationFunction.Last => AggregationKind.Last,
        _ => throw new InvalidDataException($"Feature view '{view}' has an aggregation with function {function}, which a spec cannot express."),
    };
}
