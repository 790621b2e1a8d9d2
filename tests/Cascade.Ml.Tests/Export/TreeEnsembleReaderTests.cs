using System.Text.Json.Nodes;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Export;

namespace Cascade.Ml.Tests.Export;

/// <summary>Reading an artifact's XGBoost JSON for export: what the evaluator computes, and clear refusals of what an export cannot express.</summary>
public sealed class TreeEnsembleReaderTests(ExportModels models) : IClassFixture<ExportModels>
{
    [Fact]
    public void The_trees_and_base_margin_are_the_ones_the_evaluator_compiled()
    {
        var artifact = models.Multiclass;
        var ensemble = TreeEnsembleReader.FromXgboostJson(ModelJson(artifact).ToJsonString(), artifact.Manifest.FeatureNames);

        ensemble.Objective.Should().Be("multi:softprob");
        ensemble.Trees.Should().HaveCount(artifact.Compiled.TreeCount);
        ensemble.Trees.Select(t => t.Group).Distinct().Should().BeEquivalentTo([0, 1, 2, 3]);
        ensemble.FeatureCount.Should().Be(ExportModels.Features);
        ensemble.OutputCount.Should().Be(4);
        ensemble.Transform.Should().Be(OutputTransform.Softmax);

        var binary = TreeEnsembleReader.FromXgboostJson(ModelJson(models.Binary).ToJsonString(), []);
        binary.BaseMargin.Should().Be(-MathF.Log(1f / binary.BaseScore - 1f), "binary:logistic starts from the logit of base_score");
    }

    [Fact]
    public void A_categorical_split_is_refused_naming_the_feature()
    {
        var json = ModelJson(models.Binary);
        var tree = json["learner"]!["gradient_booster"]!["model"]!["trees"]![2]!;
        var feature = (int)tree["split_indices"]![0]!;
        var types = tree["split_type"]!.AsArray();
        types[0] = 1;

        var read = () => TreeEnsembleReader.FromXgboostJson(json.ToJsonString(), models.Binary.Manifest.FeatureNames);

        read.Should().Throw<ModelExportException>().WithMessage($"Tree 2, node 0 splits 'x{feature}' (feature {feature}) by category set*one-hot or ordinal*");
    }

    [Fact]
    public void An_unsupported_objective_is_refused_naming_the_supported_ones()
    {
        var json = ModelJson(models.Regression);
        json["learner"]!["objective"]!["name"] = "reg:pseudohubererror";

        var read = () => TreeEnsembleReader.FromXgboostJson(json.ToJsonString(), []);

        read.Should().Throw<ModelExportException>().WithMessage("*'reg:pseudohubererror'*binary:logistic, reg:squarederror, multi:softprob*");
    }

    [Fact]
    public void A_child_pointing_back_at_the_root_is_refused()
    {
        var json = ModelJson(models.Regression);
        var tree = json["learner"]!["gradient_booster"]!["model"]!["trees"]![0]!;
        var left = tree["left_children"]!.AsArray();
        var inner = Enumerable.Range(1, left.Count - 1).First(n => (int)left[n]! > 0);
        left[inner] = (int)left[0]!; // two parents for one node

        var read = () => TreeEnsembleReader.FromXgboostJson(json.ToJsonString(), []);

        read.Should().Throw<ModelExportException>().WithMessage("Tree 0 is not a tree*");
    }

    private static JsonNode ModelJson(ModelArtifact artifact) => JsonNode.Parse(File.ReadAllText(Path.Combine(artifact.Directory, ArtifactFiles.ModelJson)))!;
}
