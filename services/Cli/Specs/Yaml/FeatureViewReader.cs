using Cascade.Cli.Specs.Model;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>Reads the <c>spec:</c> of a <c>kind: FeatureView</c> document.</summary>
internal static class FeatureViewReader
{
    public static readonly string[] Fields = ["dataset", "passthrough", "aggregations", "ttl", "categoricals"];

    public static readonly string[] AggregationFields = ["column", "function", "window", "name"];

    public static readonly string[] CategoricalFields = ["column", "encoding", "top_k", "vocabulary", "name"];

    public static FeatureViewSpecification? Read(YamlNode node, SpecReadContext context)
    {
        if (MappingReader.Open(node, "spec", Fields, context) is not { } spec) return null;
        return new FeatureViewSpecification(
            spec.String("dataset", required: true, hint: "the dataset the view reads") ?? "",
            spec.Strings("passthrough"),
            spec.List("aggregations", (item, path) => Aggregation(item, path, context)),
            spec.Duration("ttl"),
            spec.List("categoricals", (item, path) => Categorical(item, path, context)));
    }

    private static CategoricalSpecification? Categorical(YamlNode node, string path, SpecReadContext context)
    {
        if (MappingReader.Open(node, path, CategoricalFields, context) is not { } categorical) return null;
        var column = categorical.String("column", required: true);
        var encoding = categorical.Choice<CategoricalEncodingKind>("encoding", required: true);
        var topK = categorical.Int("top_k");
        var vocabulary = categorical.CategoryValues("vocabulary");
        var name = categorical.String("name");
        return column is null || encoding is null ? null : new CategoricalSpecification(column, encoding.Value, topK, vocabulary, string.IsNullOrEmpty(name) ? null : name);
    }

    private static AggregationSpecification? Aggregation(YamlNode node, string path, SpecReadContext context)
    {
        if (MappingReader.Open(node, path, AggregationFields, context) is not { } aggregation) return null;
        var column = aggregation.String("column", required: true);
        var function = aggregation.Choice<AggregationKind>("function", required: true);
        var window = aggregation.Duration("window");
        var name = aggregation.String("name");
        return column is null || function is null ? null : new AggregationSpecification(column, function.Value, window, string.IsNullOrEmpty(name) ? null : name);
    }
}
