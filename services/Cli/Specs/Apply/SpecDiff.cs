using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Yaml;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Apply;

/// <summary>
/// The fields in which a desired spec differs from the current one. Both are written in full (defaults included) and
/// compared as YAML trees, so a default left out on one side and spelled out on the other is no change; columns are
/// matched by name (their order means nothing), other lists by position (a view's feature order is the model's).
/// </summary>
internal static class SpecDiff
{
    public static IReadOnlyList<FieldChange> Compare(SpecBody current, SpecBody desired)
    {
        if (current.Kind != desired.Kind) throw new ArgumentException($"Cannot compare a {current.Kind} with a {desired.Kind}.");
        var changes = new List<FieldChange>();
        Compare("", SpecWriter.Body(current, withDefaults: true), SpecWriter.Body(desired, withDefaults: true), changes);
        return changes;
    }

    private static void Compare(string path, YamlNode? from, YamlNode? to, List<FieldChange> changes)
    {
        switch (from, to)
        {
            case (null, null):
                return;
            case (null, _):
                changes.Add(new FieldChange(path, null, Render(to)));
                return;
            case (_, null):
                changes.Add(new FieldChange(path, Render(from), null));
                return;
            case (YamlMappingNode a, YamlMappingNode b):
                foreach (var key in b.Children.Keys.Concat(a.Children.Keys).Select(Key).Distinct())
                {
                    Compare(Join(path, key), Child(a, key), Child(b, key), changes);
                }
                return;
            case (YamlSequenceNode a, YamlSequenceNode b) when a.All(i => i is YamlScalarNode) && b.All(i => i is YamlScalarNode):
                var before = a.Select(Render).ToArray();
                var after = b.Select(Render).ToArray();
                if (!before.SequenceEqual(after)) changes.Add(new FieldChange(path, Render(a), Render(b)));
                return;
            case (YamlSequenceNode a, YamlSequenceNode b) when Named(a) && Named(b):
                var old = a.Cast<YamlMappingNode>().ToDictionary(Name);
                var next = b.Cast<YamlMappingNode>().ToDictionary(Name);
                foreach (var name in next.Keys.Concat(old.Keys).Distinct())
                {
                    Compare($"{path}[{name}]", old.GetValueOrDefault(name), next.GetValueOrDefault(name), changes);
                }
                return;
            case (YamlSequenceNode a, YamlSequenceNode b):
                for (var i = 0; i < Math.Max(a.Children.Count, b.Children.Count); i++)
                {
                    Compare($"{path}[{i}]", i < a.Children.Count ? a.Children[i] : null, i < b.Children.Count ? b.Children[i] : null, changes);
                }
                return;
            default:
                var (x, y) = (Render(from), Render(to));
                if (x != y || from.GetType() != to.GetType()) changes.Add(new FieldChange(path, x, y));
                return;
        }
    }

    /// <summary>A list whose items are mappings with distinct names (a dataset's columns).</summary>
    private static bool Named(YamlSequenceNode sequence) =>
        sequence.All(i => i is YamlMappingNode m && m.Children.ContainsKey(new YamlScalarNode("name")))
        && sequence.Cast<YamlMappingNode>().Select(Name).Distinct().Count() == sequence.Children.Count;

    private static string Name(YamlMappingNode item) => Render(item.Children[new YamlScalarNode("name")]);

    private static YamlNode? Child(YamlMappingNode mapping, string key) => mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string Key(YamlNode key) => ((YamlScalarNode)key).Value ?? "";

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>A value on one line: scalars as they are, lists and mappings in flow style.</summary>
    private static string Render(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? "",
        YamlSequenceNode sequence => $"[{string.Join(", ", sequence.Select(Render))}]",
        YamlMappingNode mapping => $"{{{string.Join(", ", mapping.Children.Select(c => $"{Key(c.Key)}: {Render(c.Value)}"))}}}",
        _ => node.ToString(),
    };
}
