using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>
/// A YAML tree as JSON, each scalar typed as YAML 1.2's core schema types it: for <c>get -o json</c>, and for checking
/// documents against the JSON Schema exactly as an editor's YAML extension does.
/// </summary>
internal static class SpecJson
{
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new ArgumentException($"Cannot convert {node.NodeType} to JSON.", nameof(node)),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar) => YamlScalars.TypeOf(scalar) switch
    {
        ScalarType.Null => null,
        ScalarType.Bool => JsonValue.Create(YamlScalars.ToBool(scalar.Value!)),
        ScalarType.Integer when long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
        ScalarType.Integer or ScalarType.Float when double.IsFinite(YamlScalars.ToDouble(scalar.Value!)) => JsonValue.Create(YamlScalars.ToDouble(scalar.Value!)),
        _ => JsonValue.Create(scalar.Value ?? ""),
    };
}
