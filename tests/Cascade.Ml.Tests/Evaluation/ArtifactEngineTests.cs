using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Evaluation.Jit;
using Cascade.Ml.Evaluation.Quantised;
using Cascade.Ml.Evaluation.Vectorised;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests.Evaluation;

/// <summary>An artifact is served by the trees compiled for this processor unless another engine is asked for, each held to the golden samples.</summary>
public sealed class ArtifactEngineTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-engine-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string WriteArtifact()
    {
        var train = SyntheticData.Binary(600, seed: 4, missingRate: 0.1);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic", ["max_depth"] = "5" }, Rounds = 25 });
        using var model = result.Model;
        var directory = Path.Combine(_root, "model");
        ArtifactWriter.Write(directory, result, train, null, "label");
        return directory;
    }

    /// <summary>What the default engine compiles trees of depth ≤ 10 to: vectors where the processor has AVX2, IL elsewhere.</summary>
    private static Type CompiledForThisProcessor => VectorisedModel.IsHardwareAccelerated ? typeof(VectorisedModel) : typeof(JitCompiledModel);

    [Theory]
    [InlineData(TreeEngine.Jit, null)]
    [InlineData(TreeEngine.NodeTable, typeof(CompiledModel))]
    [InlineData(TreeEngine.Quantised, typeof(QuantisedModel))]
    public void The_engine_chooses_the_scorer_and_every_one_reproduces_the_golden_samples(TreeEngine engine, Type? scorer)
    {
        var artifact = ModelArtifact.Load(WriteArtifact(), engine: engine);

        artifact.Scorer.Should().BeOfType(scorer ?? CompiledForThisProcessor);
        artifact.Compiled.Should().BeOfType<CompiledModel>("explanations and exports read the node table whatever serves");
        var output = new float[1];
        foreach (var sample in artifact.GoldenSamples)
        {
            artifact.Scorer.Predict(sample.Features.Select(f => f ?? float.NaN).ToArray(), output);
            BitConverter.SingleToUInt32Bits(output[0]).Should().Be(sample.OutputBits[0]);
        }
    }

    [Fact]
    public void The_default_engine_compiles_the_trees_for_this_processor()
    {
        ModelArtifact.Load(WriteArtifact()).Scorer.Should().BeOfType(CompiledForThisProcessor);
    }
}
