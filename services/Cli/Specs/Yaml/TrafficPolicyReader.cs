using Cascade.Cli.Specs.Model;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>Reads the <c>spec:</c> of a <c>kind: TrafficPolicy</c> document (its <c>metadata.name</c> is the served model).</summary>
internal static class TrafficPolicyReader
{
    public static readonly string[] Fields = ["canary_percent", "shadow"];

    public static TrafficPolicySpecification? Read(YamlNode node, SpecReadContext context)
    {
        if (MappingReader.Open(node, "spec", Fields, context) is not { } spec) return null;
        return new TrafficPolicySpecification(spec.Number("canary_percent"), spec.Bool("shadow"));
    }
}
