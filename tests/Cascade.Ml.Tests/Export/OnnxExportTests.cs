using System.Text.Json.Nodes;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Export;
using Cascade.Ml.Onnx;

namespace Cascade.Ml.Tests.Export;

/// <summary><c>cascade export --format onnx</c>: the exported graph run by ONNX Runtime against the compiled evaluator.</summary>
public sealed class OnnxExportTests(ExportModels models) : IClassFixture<ExportModels>
{
    private const float Tolerance = 1e-5f;

    [Theory]
    [InlineData("binary", 1)]
    [InlineData("regression", 1)]
    [InlineData("multiclass", 4)]
    public void The_export_agrees_with_the_evaluator_on_golden_samples_and_rows_with_missing_values(string objective, int outputs)
    {
        var artifact = models[objective];
        var path = Path.Combine(models.Root, $"{objective}.onnx");

        var result = ModelExporter.Export(artifact.Directory, ExportFormat.Onnx, path);

        result.GoldenSamplesChecked.Should().Be(artifact.GoldenSamples.Count);
        using var scorer = OnnxScorer.Load(File.ReadAllBytes(path));
        scorer.FeatureCount.Should().Be(ExportModels.Features);
        scorer.OutputCount.Should().Be(outputs);
        scorer.InputName.Should().Be(OnnxModelWriter.InputName);
        scorer.OutputName.Should().Be(OnnxModelWriter.OutputName);
        scorer.HasLabelOutput.Should().BeFalse();

        AssertAgrees(artifact, scorer, ExportModels.GoldenRows(artifact), "golden samples");
        var rows = ExportModels.RandomRows(3000, seed: 5);
        AssertAgrees(artifact, scorer, rows, "random rows, 15% missing");
        AssertAgrees(artifact, scorer, Enumerable.Repeat(float.NaN, ExportModels.Features).ToArray(), "a row with every value missing");
    }

    [Fact]
    public void Missing_values_follow_each_splits_default_direction()
    {
        // The default directions only matter if they differ across nodes: a model whose every NaN went one way would
        // pass the comparisons above even with nodes_missing_value_tracks_true ignored.
        var ensemble = TreeEnsembleReader.FromXgboostJson(File.ReadAllText(Path.Combine(models.Binary.Directory, ArtifactFiles.ModelJson)), []);
        var inner = ensemble.Trees.SelectMany(t => t.Nodes).Where(n => !n.IsLeaf).ToArray();
        inner.Should().Contain(n => n.DefaultLeft).And.Contain(n => !n.DefaultLeft);

        var path = Path.Combine(models.Root, "missing.onnx");
        ModelExporter.Export(models.Binary.Directory, ExportFormat.Onnx, path);
        using var scorer = OnnxScorer.Load(File.ReadAllBytes(path));
        // Each feature missing alone, from rows where the others are present.
        var rows = ExportModels.RandomRows(400, seed: 9, missingRate: 0);
        for (var r = 0; r < 400; r++) rows[r * ExportModels.Features + r % ExportModels.Features] = float.NaN;
        AssertAgrees(models.Binary, scorer, rows, "one value missing per row");
    }

    [Fact]
    public void The_export_records_the_objective_and_feature_names()
    {
        var ensemble = TreeEnsembleReader.FromXgboostJson(File.ReadAllText(Path.Combine(models.Multiclass.Directory, ArtifactFiles.ModelJson)), []);
        var metadata = OnnxModelWriter.Metadata(ensemble, models.Multiclass.Manifest.FeatureNames, "test");

        metadata["cascade.objective"].Should().Be("multi:softprob");
        JsonNode.Parse(metadata["cascade.feature_names"])!.AsArray().Select(n => (string)n!).Should().Equal(models.Multiclass.Manifest.FeatureNames);
        var bytes = OnnxModelWriter.Write(ensemble, metadata);
        System.Text.Encoding.UTF8.GetString(bytes).Should().Contain("cascade.feature_names").And.Contain("TreeEnsembleRegressor").And.Contain("Softmax");
    }

    [Fact]
    public void An_imported_onnx_model_is_refused_with_what_to_do_instead()
    {
        var directory = Path.Combine(models.Root, "imported-onnx");
        var source = Path.Combine(models.Root, "imported.onnx");
        ModelExporter.Export(models.Regression.Directory, ExportFormat.Onnx, source);
        Cascade.Ml.Import.ModelImporter.Import(new Cascade.Ml.Import.ImportRequest { ModelFile = source, Objective = "reg:squarederror", FeatureNames = models.Regression.Manifest.FeatureNames }, directory);

        var export = () => ModelExporter.Export(directory, ExportFormat.C, Path.Combine(models.Root, "never.c"));

        export.Should().Throw<ModelExportException>().WithMessage("*imported onnx model*already portable*model.onnx*");
        File.Exists(Path.Combine(models.Root, "never.c")).Should().BeFalse();
    }

    [Fact]
    public void An_export_into_the_artifact_directory_is_refused_and_the_artifact_stays_valid()
    {
        var export = () => ModelExporter.Export(models.Regression.Directory + "/", ExportFormat.Onnx, Path.Combine(models.Regression.Directory, ArtifactFiles.ModelJson));

        export.Should().Throw<ModelExportException>().WithMessage("*inside the artifact directory*write the export elsewhere*");
        ModelArtifact.Load(models.Regression.Directory).Compiled.TreeCount.Should().Be(models.Regression.Compiled.TreeCount);
    }

    private static void AssertAgrees(ModelArtifact artifact, OnnxScorer scorer, float[] rows, string what)
    {
        var count = rows.Length / ExportModels.Features;
        var expected = new float[count * scorer.OutputCount];
        var actual = new float[expected.Length];
        artifact.Compiled.PredictBatch(rows, count, expected);
        scorer.PredictBatch(rows, count, actual);
        for (var i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], Tolerance * Math.Max(1f, Math.Abs(expected[i])), $"{what}: row {i / scorer.OutputCount}, output {i % scorer.OutputCount}");
        }
        expected.Distinct().Should().HaveCountGreaterThanOrEqualTo(Math.Min(count, 10), "the rows reach different leaves");
    }
}
