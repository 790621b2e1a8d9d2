using Cascade.Cli.Specs.Model;
using Cascade.Contracts.Common.V1;
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
        spec.Categoricals.AddRange(view.CategoricalColumns.Select(c => new CategoricalFeature
        {
            Column = c.Column,
            Encoding = c.Encoding == CategoricalEncodingKind.OneHot ? CategoricalEncoding.OneHot : CategoricalEncoding.Ordinal,
            TopK = c.TopK,
            Vocabulary = { c.Vocabulary },
            Name = c.Name ?? "",
        }));
        return spec;
    }

    /// <summary>The spec as the user wrote it: a <c>top_k</c> column stays <c>top_k</c> (the resolved vocabulary is in the view's meta), so re-applying the file is unchanged.</summary>
    /// <exception cref="InvalidDataException">An aggregation without a function, or a categorical column without an encoding (Features refuses those).</exception>
    public static SpecObject FromProto(FeatureViewSpec spec) => new(spec.Name, new FeatureViewSpecification(
        spec.Dataset,
        spec.Passthrough.ToArray(),
        spec.Aggregations.Select(a => new AggregationSpecification(a.Column, FromProto(a.Function, spec.Name), WireDurations.FromProto(a.Window), string.IsNullOrEmpty(a.Name) ? null : a.Name)).ToArray(),
        WireDurations.FromProto(spec.Ttl),
        spec.Categoricals.Select(c => new CategoricalSpecification(c.Column, FromProto(c.Encoding, spec.Name), c.TopK, c.Vocabulary.ToArray(), string.IsNullOrEmpty(c.Name) ? null : c.Name)).ToArray()));

    private static CategoricalEncodingKind FromProto(CategoricalEncoding encoding, string view) => encoding switch
    {
        CategoricalEncoding.OneHot => CategoricalEncodingKind.OneHot,
        CategoricalEncoding.Ordinal => CategoricalEncodingKind.Ordinal,
        _ => throw new InvalidDataException($"Feature view '{view}' has a categorical column with encoding {encoding}, which a spec cannot express."),
    };

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
