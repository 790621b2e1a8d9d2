using System.Text;
using Cascade.Ml.Artifacts;

namespace Cascade.Monitoring.Tests.Profiles;

public class ReferenceProfileTests
{
    // The shape training writes (Cascade.Ml's reference_profile.json), including a field Monitoring does not use ("count").
    private const string ArtifactJson = """
        {
          "features": [
            { "name": "age", "count": 6, "missing_count": 1, "bin_edges": [1.5, 3.0], "bin_counts": [2, 1, 2],
              "mean": 2.6, "std": 1.14, "min": 1.0, "max": 4.0, "sample": [1.0, 1.0, 2.0, 3.0, 4.0] },
            { "name": "never_seen", "count": 3, "missing_count": 3, "bin_edges": [], "bin_counts": [0],
              "mean": "NaN", "std": 0, "min": "NaN", "max": "NaN", "sample": [] }
          ],
          "prediction": { "name": "prediction", "count": 6, "missing_count": 0, "bin_edges": [0.5], "bin_counts": [3, 3],
            "mean": 0.5, "std": 0.3, "min": 0.1, "max": 0.9, "sample": [0.1, 0.4, 0.6, 0.9] }
        }
        """;

    [Fact]
    public void The_artifacts_reference_profile_json_maps_onto_the_domain_record()
    {
        var profile = ReferenceProfile.FromJson(Encoding.UTF8.GetBytes(ArtifactJson));

        profile.Features.Select(f => f.Name).Should().Equal("age", "never_seen");
        var age = profile.Features[0];
        age.BinEdges.Should().Equal(1.5, 3.0);
        age.BinCounts.Should().Equal(2L, 1L, 2L);
        age.MissingCount.Should().Be(1);
        age.Count.Should().Be(6);
        age.Sample.Should().HaveCount(5);
        profile.Features[1].Mean.Should().Be(double.NaN, "an all-missing feature has no mean");
        profile.Prediction.Std.Should().Be(0.3);
    }

    [Theory]
    [InlineData("""{ "name": "x", "count": 2, "missing_count": 0, "bin_edges": [1, 2], "bin_counts": [1, 1], "mean": 0, "std": 0, "min": 0, "max": 0, "sample": [] }""", "bin counts")]
    [InlineData("""{ "name": "x", "missing_count": 0, "bin_edges": [], "bin_counts": [1], "mean": 0, "std": 0, "min": 0, "max": 0, "sample": [] }""", "count")]
    [InlineData("""{ "name": "x", "count": 5, "missing_count": 0, "bin_edges": [], "bin_counts": [1], "mean": 0, "std": 0, "min": 0, "max": 0, "sample": [] }""", "missing + binned")]
    [InlineData("""{ "name": "x", "count": 3, "missing_count": 0, "bin_edges": [2, 1], "bin_counts": [1, 1, 1], "mean": 0, "std": 0, "min": 0, "max": 0, "sample": [] }""", "strictly increasing")]
    [InlineData("""{ "name": "x", "count": 0, "missing_count": 0, "bin_edges": [], "bin_counts": [0], "mean": 0, "std": 0, "min": 0, "max": 0, "sample": [] }""", "no rows")]
    public void An_unusable_feature_profile_is_refused(string feature, string problem)
    {
        var json = $$"""{ "features": [ {{feature}} ], "prediction": {{feature}} }""";

        var read = () => ReferenceProfile.FromJson(Encoding.UTF8.GetBytes(json));

        read.Should().Throw<ArgumentException>().WithMessage($"*{problem}*");
    }
}
