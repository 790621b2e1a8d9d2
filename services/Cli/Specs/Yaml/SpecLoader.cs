using Cascade.Cli.Specs.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>
/// Reads spec files: YAML documents (several per file, separated by <c>---</c>) of the form
/// <c>apiVersion: cascade/v1</c>, <c>kind</c>, <c>metadata: {name}</c>, <c>spec</c>, into <see cref="SpecObject"/>s.
/// Every problem of every file is collected first, then reported together, each with file, line and column.
/// </summary>
internal static class SpecLoader
{
    public const string ApiVersion = "cascade/v1";

    public static readonly string[] DocumentFields = ["apiVersion", "kind", "metadata", "spec"];

    public static readonly string[] MetadataFields = ["name"];

    /// <summary>Reads files, and the <c>*.yaml</c> / <c>*.yml</c> files of directories (not their subdirectories), in name order.</summary>
    /// <exception cref="SpecFileException">Anything wrong in the files, all of it.</exception>
    /// <exception cref="SpecPathException">A path that does not exist or cannot be read, or a directory without spec files.</exception>
    public static IReadOnlyList<SpecObject> LoadPaths(IEnumerable<string> paths)
    {
        var sources = new List<(string Text, string Name)>();
        foreach (var path in paths)
        {
            foreach (var file in Files(path))
            {
                try
                {
                    sources.Add((File.ReadAllText(file), file));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new SpecPathException($"{file}: {ex.Message}", ex);
                }
            }
        }
        return Load(sources);
    }

    /// <summary>Reads one text (an embedded spec, a test's document); <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="SpecFileException">Anything wrong in it.</exception>
    public static IReadOnlyList<SpecObject> LoadText(string text, string source) => Load([(text, source)]);

    private static IReadOnlyList<SpecObject> Load(IEnumerable<(string Text, string Name)> sources)
    {
        var objects = new List<SpecObject>();
        var errors = new List<SpecError>();
        foreach (var (text, name) in sources)
        {
            var context = new SpecReadContext(name);
            foreach (var document in Documents(text, name, context))
            {
                if (Read(document, context) is { } read) objects.Add(read);
            }
            errors.AddRange(context.Errors);
        }
        // The same object twice would be applied twice with different specs: which one wins would be an accident.
        foreach (var duplicate in objects.GroupBy(o => o.Id).Where(g => g.Count() > 1))
        {
            var first = duplicate.First();
            errors.AddRange(duplicate.Skip(1).Select(o => new SpecError(o.Location!, $"{o.Id} is declared twice (first at {first.Location}).")));
        }
        if (errors.Count > 0) throw new SpecFileException(errors);
        return objects;
    }

    private static IEnumerable<string> Files(string path)
    {
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path)) throw new SpecPathException($"{path}: no such file or directory.");
        var files = Directory.EnumerateFiles(path)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToArray();
        return files.Length > 0 ? files : throw new SpecPathException($"{path}: the directory has no *.yaml or *.yml files.");
    }

    private static IReadOnlyList<YamlNode> Documents(string text, string name, SpecReadContext context)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            // Syntax: nothing of the file can be trusted, so none of it is read.
            var message = ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;
            context.Errors.Add(new SpecError(new SpecLocation(name, ex.Start.Line, ex.Start.Column), $"not valid YAML: {message}"));
            return [];
        }
        // An empty document (a file ending in ---, or only comments) declares nothing.
        return stream.Documents.Select(d => d.RootNode).Where(n => !(n is YamlScalarNode scalar && YamlScalars.TypeOf(scalar) == ScalarType.Null)).ToArray();
    }

    private static SpecObject? Read(YamlNode root, SpecReadContext context)
    {
        if (MappingReader.Open(root, "", DocumentFields, context) is not { } document) return null;
        var apiVersion = document.String("apiVersion", required: true, hint: ApiVersion);
        if (apiVersion is not null && apiVersion != ApiVersion)
        {
            context.Error(document.Find("apiVersion")!, $"apiVersion '{apiVersion}' is not known: use {ApiVersion}.");
        }
        var kindNode = document.Find("kind");
        var kindName = document.String("kind", required: true, hint: Kinds);
        SpecKind? kind = null;
        if (kindName is not null)
        {
            if (Enum.TryParse<SpecKind>(kindName, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)) kind = parsed;
            else if (kindName == "Model") context.Error(kindNode!, $"kind Model cannot be applied: models come from training (or are imported into the registry); apply one of {Kinds}.");
            else context.Error(kindNode!, $"kind '{kindName}' is not known: use one of {Kinds}.");
        }
        var metadata = document.Mapping("metadata", MetadataFields, required: true);
        var name = metadata?.String("name", required: true, hint: kind is SpecKind.TrainingPolicy or SpecKind.TrafficPolicy ? "the model's name" : "the object's name");
        var specNode = document.Find("spec");
        if (specNode is null)
        {
            document.String("spec", required: true);
            return null;
        }
        SpecBody? spec = kind switch
        {
            SpecKind.Dataset => DatasetReader.Read(specNode, context),
            SpecKind.FeatureView => FeatureViewReader.Read(specNode, context),
            SpecKind.TrainingPolicy => TrainingPolicyReader.Read(specNode, context),
            SpecKind.TrafficPolicy => TrafficPolicyReader.Read(specNode, context),
            _ => null,
        };
        return name is null || spec is null ? null : new SpecObject(name, spec, context.At(root));
    }

    private static string Kinds => string.Join(", ", Enum.GetNames<SpecKind>());
}
