using System.Text.Json;
using System.Text.Json.Nodes;
using Cascade.Cli.Specs.Yaml;
using Spectre.Console;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Get;

/// <summary>
/// <c>cascade get</c>'s three outputs: a table per kind with the system's facts; YAML spec documents that <c>apply</c>
/// accepts as they are (a model, which is trained rather than declared, is written with a read-only <c>status</c>);
/// and the same documents as a JSON array, for scripts.
/// </summary>
internal static class ListingOutput
{
    public static void Table(IReadOnlyList<Listed> listed)
    {
        foreach (var kind in listed.GroupBy(l => l.Kind))
        {
            var table = new Table { Title = new TableTitle(kind.Key) };
            table.AddColumn("name");
            foreach (var fact in kind.First().Facts) table.AddColumn(fact.Key.Replace('_', ' '));
            foreach (var item in kind) table.AddRow(item.Facts.Select(f => Markup.Escape(f.Value)).Prepend(Markup.Escape(item.Name)).ToArray());
            AnsiConsole.Write(table);
        }
    }

    public static string Yaml(IReadOnlyList<Listed> listed) => SpecWriter.ToYaml(listed.Select(Document));

    public static string Json(IReadOnlyList<Listed> listed) =>
        new JsonArray(listed.Select(l => SpecJson.ToJson(Document(l))).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static YamlMappingNode Document(Listed listed)
    {
        if (listed.Object is { } spec) return SpecWriter.Document(spec);
        var status = new YamlMappingNode();
        foreach (var (name, value) in listed.Facts) status.Add(name, value);
        return new YamlMappingNode
        {
            { "apiVersion", SpecLoader.ApiVersion },
            { "kind", listed.Kind },
            { "metadata", new YamlMappingNode { { "name", listed.Name } } },
            { "status", status },
        };
    }
}
