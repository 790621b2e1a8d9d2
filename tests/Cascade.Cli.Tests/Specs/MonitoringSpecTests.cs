using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Wire;
using Cascade.Cli.Specs.Yaml;
using Cascade.Contracts.Training.V1;

namespace Cascade.Cli.Tests.Specs;

/// <summary>A training policy's <c>monitoring.segment</c> block, in YAML and in JSON spec files, to the wire and back.</summary>
public sealed class MonitoringSpecTests
{
    private const string Policy = """
        apiVersion: cascade/v1
        kind: TrainingPolicy
        metadata: {name: loans}
        spec:
          dataset: applicants
          feature_view: applicants-view
          objective: binary:logistic
          monitoring:
            segment: {column: income, bins: [30000, 60000.5], max_segments: 6}
        """;

    [Fact]
    public void A_segment_block_reaches_the_wire_and_comes_back_as_written()
    {
        var objects = SpecLoader.LoadText(Policy, "policy.yaml");

        var wire = TrainingPolicyMapping.ToProto("loans", (TrainingPolicySpecification)objects[0].Spec);
        var back = TrainingPolicyMapping.FromProto(wire);

        wire.Monitoring.Segment.Should().Be(new SegmentPolicy { Column = "income", Bins = { 30_000, 60_000.5 }, MaxSegments = 6 });
        SpecWriter.ToYaml([SpecWriter.Document(back)]).Should().Be(SpecWriter.ToYaml(objects.Select(SpecWriter.Document)));
        SpecWriter.ToYaml([SpecWriter.Document(back)]).Should().Contain("segment:").And.Contain("bins: [30000, 60000.5]");
    }

    [Fact]
    public void A_json_spec_file_says_the_same()
    {
        var json = """
            {"apiVersion": "cascade/v1", "kind": "TrainingPolicy", "metadata": {"name": "loans"},
             "spec": {"dataset": "applicants", "feature_view": "applicants-view", "objective": "binary:logistic",
                      "monitoring": {"segment": {"column": "gender"}}}}
            """;

        var wire = TrainingPolicyMapping.ToProto("loans", (TrainingPolicySpecification)SpecLoader.LoadText(json, "policy.json")[0].Spec);

        wire.Monitoring.Segment.Should().Be(new SegmentPolicy { Column = "gender" });
        TrainingPolicyMapping.ToProto("loans", (TrainingPolicySpecification)SpecLoader.LoadText(Policy.Replace("\n  monitoring:\n    segment: {column: income, bins: [30000, 60000.5], max_segments: 6}", ""), "p.yaml")[0].Spec)
            .Monitoring.Should().BeNull("a policy without the block sends none");
    }

    [Theory]
    [InlineData("segment: {bins: [1]}", "*segment.column*")]
    [InlineData("segment: {column: income, bins: [low, high]}", "*bins[0] must be a finite number*")]
    [InlineData("segment: {column: income, bin: 3}", "*bin*")]
    [InlineData("{}", "*segment*")]
    public void A_malformed_block_is_refused_saying_where(string block, string message)
    {
        var yaml = Policy.Replace("    segment: {column: income, bins: [30000, 60000.5], max_segments: 6}", "    " + block);

        var load = () => SpecLoader.LoadText(yaml, "policy.yaml");

        load.Should().Throw<SpecFileException>().WithMessage(message);
    }
}
