using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Export;
using Cascade.Ml.Onnx;
using Cascade.Ml.Tests.Evaluation;
using Cascade.Ml.Tests.Export;
using Onnx;

namespace Cascade.Ml.Tests.Onnx;

/// <summary>
/// The path a gpu worker's batch scoring takes (the trees exported in memory as the traversal graph, opened in ONNX
/// Runtime on a device), run here on the CPU provider: the same code with <see cref="OnnxDevice.Cpu"/> in place of
/// CUDA, against the compiled evaluator.
/// </summary>
public sealed class OnnxTreeScoringTests(ExportModels models) : IClassFixture<ExportModels>
{
    private const float Tolerance = ModelArtifact.OnnxGoldenTolerance;

    /// <summary>What ONNX Runtime 1.32's CUDA provider has kernels for, of the operators the graph may use (docs/OperatorKernels.md, CUDAExecutionProvider).</summary>
    private static readonly string[] CudaOperators = ["Gather", "GatherElements", "Less", "IsNaN", "Where", "MatMul", "Add", "Sigmoid", "Softmax"];

    [Theory]
    [InlineData("binary")]
    [InlineData("regression")]
    [InlineData("multiclass")]
    public void On_the_cpu_provider_trained_models_agree_with_the_evaluator_within_1e_5(string objective)
    {
        var artifact = models[objective];

        using var scorer = OnnxTreeScoring.Open(artifact, OnnxDevice.Cpu);

        scorer.Device.Should().Be(OnnxDevice.Cpu);
        scorer.OutputCount.Should().Be(artifact.Compiled.OutputCount);
        AssertAgrees(artifact.Compiled, scorer, ExportModels.GoldenRows(artifact), "golden samples");
        AssertAgrees(artifact.Compiled, scorer, ExportModels.RandomRows(5000, seed: 21), "random rows, 15% missing");
        AssertAgrees(artifact.Compiled, scorer, Enumerable.Repeat(float.NaN, ExportModels.Features).ToArray(), "a row with every value missing");
    }

    [Fact]
    public void The_load_records_which_provider_ran_each_node()
    {
        using var scorer = OnnxTreeScoring.Open(models.Binary, OnnxDevice.Cpu);

        scorer.Placement.Should().NotBeEmpty();
        scorer.Placement.Should().OnlyContain(p => p.Provider == OnnxProviders.Cpu);
        scorer.Placement.Select(p => p.Operator).Should().Contain(["GatherElements", "Where", "IsNaN", "MatMul", "Sigmoid"]);
    }

    [Theory]
    [InlineData(1, 9)]
    [InlineData(1, 0)]
    public void A_single_tree_reaches_the_evaluators_leaf_for_every_row_bit_for_bit(int trees, int depth)
    {
        // One tree and no transform: the output is base margin + leaf in both, so any difference is a different leaf.
        var compiled = CompiledModel.FromXgboostJson(RandomEnsembles.Json(seed: 3, trees, features: 7, maxDepth: depth, objective: "reg:squarederror", leafProbability: 0.15));
        using var scorer = Open(compiled);
        var rows = RandomEnsembles.Rows(seed: 4, rows: 20_000, features: 7);

        var (expected, actual) = Both(compiled, scorer, rows);

        for (var i = 0; i < expected.Length; i++)
        {
            BitConverter.SingleToInt32Bits(actual[i]).Should().Be(BitConverter.SingleToInt32Bits(expected[i]), $"row {i}: {string.Join(", ", rows.Skip(i * 7).Take(7))}");
        }
        if (depth > 0) expected.Distinct().Should().HaveCountGreaterThan(20, "the rows reach many leaves");
    }

    [Theory]
    [InlineData("binary:logistic", 1)]
    [InlineData("multi:softprob", 3)]
    public void Trees_of_every_depth_and_lone_leaves_agree_with_the_evaluator_on_ties_zeros_infinities_and_missing_values(string objective, int classes)
    {
        // Every third tree is a lone leaf; the others are cut short at random depths up to 8.
        var compiled = CompiledModel.FromXgboostJson(RandomEnsembles.Json(seed: 11, trees: 60, features: 9, maxDepth: 8, objective, classes, treeDepth: t => t % 3 == 0 ? 0 : 8));
        using var scorer = Open(compiled);
        var rows = RandomEnsembles.Rows(seed: 12, rows: 5000, features: 9);

        AssertAgrees(compiled, scorer, rows, "edge rows");
    }

    [Fact]
    public void Every_operator_of_the_graph_is_one_the_cuda_provider_implements()
    {
        var ensemble = TreeEnsembleReader.FromCompiled(models.Multiclass.Compiled);

        var model = ModelProto.Parser.ParseFrom(OnnxTraversalWriter.Write(ensemble, new Dictionary<string, string>()));

        model.OpsetImport.Should().ContainSingle().Which.Domain.Should().BeEmpty("no ai.onnx.ml operator: ONNX Runtime runs those on the CPU provider only");
        model.Graph.Node.Should().OnlyContain(n => n.Domain == string.Empty && CudaOperators.Contains(n.OpType));
        model.MetadataProps.Should().Contain(p => p.Key == OnnxTraversalWriter.GraphKey && p.Value == OnnxTraversalWriter.GraphValue);
    }

    [Fact]
    public void Opening_on_cuda_in_a_build_without_the_cuda_provider_fails_with_onnx_runtimes_reason()
    {
        OnnxProviders.CudaInThisBuild.Should().BeFalse("the tests build with the CPU package (CascadeOnnxRuntime unset)");
        var graph = OnnxTraversalWriter.Write(TreeEnsembleReader.FromCompiled(models.Binary.Compiled), new Dictionary<string, string>());

        var open = () => OnnxScorer.Open(graph, OnnxDevice.Cuda(0));

        open.Should().Throw<OnnxDeviceException>().WithMessage("*CUDAExecutionProvider*cuda:0*CPUExecutionProvider*");
    }

    [Fact]
    public void An_imported_onnx_model_is_refused_for_device_scoring()
    {
        var directory = Path.Combine(models.Root, "imported-for-device");
        var source = Path.Combine(models.Root, "imported-for-device.onnx");
        ModelExporter.Export(models.Regression.Directory, ExportFormat.Onnx, source);
        Import.ModelImporter.Import(new Import.ImportRequest { ModelFile = source, Objective = "reg:squarederror", FeatureNames = models.Regression.Manifest.FeatureNames }, directory);

        var open = () => OnnxTreeScoring.Open(ModelArtifact.Load(directory), OnnxDevice.Cpu);

        open.Should().Throw<ModelExportException>().WithMessage("*imported onnx model*tree ensembles*");
    }

    private static OnnxScorer Open(CompiledModel compiled) =>
        OnnxScorer.Open(OnnxTraversalWriter.Write(TreeEnsembleReader.FromCompiled(compiled), new Dictionary<string, string>()), OnnxDevice.Cpu, compiled.FeatureCount);

    private static (float[] Expected, float[] Actual) Both(CompiledModel compiled, OnnxScorer scorer, float[] rows)
    {
        var count = rows.Length / compiled.FeatureCount;
        var expected = new float[count * compiled.OutputCount];
        var actual = new float[expected.Length];
        compiled.PredictBatch(rows, count, expected);
        scorer.PredictBatch(rows, count, actual);
        return (expected, actual);
    }

    private static void AssertAgrees(CompiledModel compiled, OnnxScorer scorer, float[] rows, string what)
    {
        var (expected, actual) = Both(compiled, scorer, rows);
        for (var i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], Tolerance * Math.Max(1f, Math.Abs(expected[i])), $"{what}: row {i / compiled.OutputCount}, output {i % compiled.OutputCount}");
        }
        if (expected.Length > 100) expected.Distinct().Should().HaveCountGreaterThan(50, "the rows reach different leaves");
    }
}
