using YamlDotNet.RepresentationModel;

namespace Cascade.Distributed.Tests;

/// <summary>Reading deployment files as YAML trees: documents with merge keys (<c>&lt;&lt;: *anchor</c>) applied, and short paths into them.</summary>
internal static class Yaml
{
    public static IReadOnlyList<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().Select(m => (YamlMappingNode)Merge(m)).ToArray();
    }

    public static string Scalar(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? string.Empty : throw new InvalidDataException($"expected a value at line {node.Start.Line}");

    /// <summary>The value under <paramref name="key"/>, null when absent.</summary>
    public static string? Text(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? Scalar(value) : null;

    public static string? Text(IReadOnlyDictionary<string, string> env, string key) => env.TryGetValue(key, out var value) ? value : null;

    public static YamlMappingNode Map(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlMappingNode child
            ? child
            : throw new InvalidDataException($"no mapping '{key}' at line {map.Start.Line}");

    /// <summary>The sequence under <paramref name="key"/>, empty when absent.</summary>
    public static IEnumerable<YamlNode> Seq(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlSequenceNode)value).Children : [];

    // YamlDotNet resolves aliases but leaves merge keys as ordinary keys: fold them in, the mapping's own keys winning.
    private static YamlNode Merge(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var merged = new YamlMappingNode();
                foreach (var (key, value) in map.Children.Where(c => Scalar(c.Key) == "<<"))
                {
                    foreach (var inherited in ((YamlMappingNode)Merge(value)).Children) merged.Children[inherited.Key] = inherited.Value;
                }
                foreach (var (key, value) in map.Children.Where(c => c.Key is not YamlScalarNode { Value: "<<" })) merged.Children[key] = Merge(value);
                return merged;
            case YamlSequenceNode sequence:
                return new YamlSequenceNode(sequence.Children.Select(Merge));
            default:
                return node;
        }
    }
}
