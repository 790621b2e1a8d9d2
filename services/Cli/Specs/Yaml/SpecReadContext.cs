using Cascade.Cli.Specs.Model;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>The file being read and the errors found so far: readers report every problem, not only the first.</summary>
internal sealed class SpecReadContext(string file)
{
    public List<SpecError> Errors { get; } = [];

    public SpecLocation At(YamlNode node) => new(file, node.Start.Line, node.Start.Column);

    public void Error(YamlNode node, string message) => Errors.Add(new SpecError(At(node), message));
}
