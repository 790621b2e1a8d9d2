using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Yaml;

namespace Cascade.Cli.Demo;

/// <summary>The demo's dataset, feature view and training policy, declared in <c>Demo/demo.yaml</c> (embedded in the CLI).</summary>
internal static class DemoSpec
{
    /// <summary>Where the spec is in the repository, and the name its errors carry.</summary>
    public const string SourcePath = "services/Cli/Demo/demo.yaml";

    private static readonly Lazy<IReadOnlyList<SpecObject>> Loaded = new(Load);

    /// <summary>The declared objects, in the file's order.</summary>
    public static IReadOnlyList<SpecObject> Objects => Loaded.Value;

    /// <summary>The spec file's text, as embedded at build time.</summary>
    public static string Text()
    {
        using var stream = typeof(DemoSpec).Assembly.GetManifestResourceStream("Cascade.Cli.Demo.demo.yaml")
            ?? throw new InvalidOperationException("demo.yaml is not embedded in the CLI: check the EmbeddedResource item of Cascade.Cli.csproj.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The declared object of a kind and name.</summary>
    public static T Find<T>(string name) where T : SpecBody =>
        Objects.Where(o => o.Name == name).Select(o => o.Spec).OfType<T>().SingleOrDefault()
            ?? throw new InvalidOperationException($"{SourcePath} declares no {typeof(T).Name.Replace("Specification", "")} named '{name}'.");

    private static IReadOnlyList<SpecObject> Load() => SpecLoader.LoadText(Text(), SourcePath);
}
