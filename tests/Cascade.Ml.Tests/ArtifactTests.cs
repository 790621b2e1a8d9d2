using System.Text.Json.Nodes;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests;

public sealed class ArtifactTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-artifact-").FullName;

    private string WriteArtifact(string name = "model")
    {
        var train = SyntheticData.Binary(400);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 15 });
        using var model = result.Model;
        var directory = Path.Combine(_root, name);
        ArtifactWriter.Write(directory, result, train, null, "label");
        return directory;
    }

    [Fact]
    public void An_artifact_round_trips_with_manifest_profile_and_golden_samples()
    {
        var directory = WriteArtifact();
        var artifact = ModelArtifact.Load(directory);
        artifact.Manifest.Objective.Should().Be("binary:logistic");
        artifact.Manifest.FeatureNames.Should().Equal("a", "b", "c", "d", "e");
        artifact.Manifest.Files.Keys.Should().BeEquivalentTo(ArtifactFiles.Hashed);
        artifact.Manifest.Metrics["train"].Should().ContainKeys("auc", "logloss", "accuracy");
        artifact.Profile!.Features.Should().HaveCount(5);
        artifact.Profile!.Features[0].BinCounts.Sum().Should().Be(artifact.Profile!.Features[0].Count - artifact.Profile!.Features[0].MissingCount);
        artifact.Profile!.Features[0].MissingCount.Should().BeGreaterThan(0);
        artifact.Profile!.Prediction.Sample.Should().NotBeEmpty();
        artifact.GoldenSamples.Should().HaveCount(32);
        artifact.GoldenSamples.Should().Contain(s => s.Features.Any(f => f == null), "some golden samples exercise missing values");
    }

    [Theory]
    [InlineData("model.ubj")]
    [InlineData("model.json")]
    [InlineData("reference_profile.json")]
    [InlineData("golden_samples.json")]
    public void A_tampered_file_is_refused_naming_it(string file)
    {
        var directory = WriteArtifact();
        var path = Path.Combine(directory, file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var act = () => ModelArtifact.Load(directory);
        act.Should().Throw<ArtifactException>().WithMessage($"*{file}*altered or truncated*");
    }

    [Fact]
    public void A_truncated_model_is_refused()
    {
        var directory = WriteArtifact();
        var path = Path.Combine(directory, "model.json");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);
        var act = () => ModelArtifact.Load(directory);
        act.Should().Throw<ArtifactException>().WithMessage("*model.json*");
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        var directory = WriteArtifact();
        File.Delete(Path.Combine(directory, "reference_profile.json"));
        var act = () => ModelArtifact.Load(directory);
        act.Should().Throw<ArtifactException>().WithMessage("*reference_profile.json is missing*");
    }

    [Fact]
    public void Golden_samples_that_disagree_with_the_model_refuse_it_even_with_consistent_hashes()
    {
        var directory = WriteArtifact();
        var goldenPath = Path.Combine(directory, "golden_samples.json");
        var golden = JsonNode.Parse(File.ReadAllText(goldenPath))!.AsArray();
        var bits = golden[3]!["output_bits"]!.AsArray();
        bits[0] = (uint)bits[0]!.GetValue<uint>() + 1;
        File.WriteAllText(goldenPath, golden.ToJsonString());
        // Re-seal the manifest so only the golden-sample check can catch the disagreement.
        var manifestPath = Path.Combine(directory, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["files"]!["golden_samples.json"] = ArtifactFiles.Sha256(File.ReadAllBytes(goldenPath));
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var act = () => ModelArtifact.Load(directory);
        act.Should().Throw<ArtifactException>().WithMessage("Golden sample 3*will not be served*");
    }

    [Fact]
    public void Writing_into_a_non_empty_directory_is_refused()
    {
        var directory = WriteArtifact();
        var act = () => WriteArtifact("model");
        act.Should().Throw<ArgumentException>().WithMessage("*not empty*");
        ModelArtifact.Load(directory).Should().NotBeNull("the existing artifact is untouched");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
