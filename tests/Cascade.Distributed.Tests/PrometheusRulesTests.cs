using System.Text.RegularExpressions;
using FluentAssertions;
using YamlDotNet.RepresentationModel;

namespace Cascade.Distributed.Tests;

/// <summary>
/// deploy/prometheus/cascade-alerts.yaml against the code: no Prometheus runs here, so each rule is checked for its
/// shape (alert, expr, severity, summary) and every metric it reads for an instrument the services actually define
/// (a renamed metric would otherwise leave a rule silently never firing).
/// </summary>
public sealed partial class PrometheusRulesTests
{
    private static readonly string Root = DistributedCascadeTests.RepositoryRoot();

    [Fact]
    public void Every_rule_has_an_expression_a_severity_and_a_summary()
    {
        var rules = Rules().ToArray();
        rules.Should().HaveCountGreaterThan(5);
        foreach (var rule in rules)
        {
            var name = Yaml.Text(rule, "alert");
            name.Should().NotBeNullOrEmpty();
            Yaml.Text(rule, "expr").Should().NotBeNullOrWhiteSpace(name);
            Yaml.Text(rule.Map("labels"), "severity").Should().BeOneOf("warning", "critical");
            Yaml.Text(rule.Map("annotations"), "summary").Should().NotBeNullOrWhiteSpace(name);
        }
    }

    [Fact]
    public void Every_metric_a_rule_reads_is_defined_by_a_service()
    {
        var source = string.Join('\n', Directory.GetFiles(Path.Combine(Root, "services"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));
        var defined = InstrumentName().Matches(source).Select(m => m.Groups[1].Value.Replace('.', '_')).ToHashSet(StringComparer.Ordinal);
        foreach (var rule in Rules())
        {
            foreach (Match metric in MetricName().Matches(Yaml.Text(rule, "expr")!))
            {
                var name = Suffix().Replace(metric.Value, string.Empty);
                defined.Should().Contain(name, $"rule {Yaml.Text(rule, "alert")} reads {metric.Value}");
            }
        }
    }

    private static IEnumerable<YamlMappingNode> Rules() =>
        Yaml.Documents(Path.Combine(Root, "deploy", "prometheus", "cascade-alerts.yaml")).Single().Seq("groups")
            .OfType<YamlMappingNode>().SelectMany(g => g.Seq("rules")).OfType<YamlMappingNode>();

    [GeneratedRegex("\"((?:cascade|rpc)\\.[a-z_.]+)\"")]
    private static partial Regex InstrumentName();

    // Metric names, not label names (a label is followed by a matcher: rpc_method=~"…").
    [GeneratedRegex("\\b(?:cascade|rpc)_[a-z_]+\\b(?!\\s*(?:=|!=|=~|!~))")]
    private static partial Regex MetricName();

    [GeneratedRegex("(_milliseconds|_seconds)?(_total|_bucket|_count|_sum)?$")]
    private static partial Regex Suffix();
}
