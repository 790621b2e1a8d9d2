using Cascade.Ml.Evaluation;
using Cascade.Ml.Onnx;
using Cascade.Ml.Tests.Fixtures;

namespace Cascade.Ml.Tests;

/// <summary>ONNX Runtime behind <see cref="IModelScorer"/>: real graphs run by the real runtime, checked against the arithmetic they encode.</summary>
public sealed class OnnxScorerTests
{
    private static readonly float[] Weights = [0.8f, -1.25f, 0.5f, 2f];
    private const float Bias = -0.3f;

    [Fact]
    public void A_logistic_graph_scores_each_row_as_its_arithmetic_says()
    {
        using var scorer = OnnxScorer.Load(OnnxGraphs.Logistic(Weights, Bias));
        scorer.FeatureCount.Should().Be(4);
        scorer.OutputCount.Should().Be(1, "a [N, 1] output is one value per row");
        scorer.InputName.Should().Be("X");
        scorer.OutputName.Should().Be("Y");
        scorer.HasLabelOutput.Should().BeFalse();

        var random = new Random(7);
        for (var r = 0; r < 50; r++)
        {
            var row = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
            var output = new float[1];
            scorer.Predict(row, output);
            var margin = row.Select((x, i) => (double)x * Weights[i]).Sum() + Bias;
            output[0].Should().BeApproximately((float)(1 / (1 + Math.Exp(-margin))), 1e-6f);
        }
    }

    [Fact]
    public void A_batch_gives_the_rows_own_answers_in_order()
    {
        using var scorer = OnnxScorer.Load(OnnxGraphs.Logistic(Weights, Bias));
        var rows = Enumerable.Range(0, 37 * 4).Select(i => MathF.Sin(i * 0.7f) * 3).ToArray();
        var batch = new float[37];
        scorer.PredictBatch(rows, 37, batch);
        for (var r = 0; r < 37; r++)
        {
            var single = new float[1];
            scorer.Predict(rows.AsSpan(r * 4, 4), single);
            batch[r].Should().BeApproximately(single[0], 1e-7f, $"row {r}");
        }
        batch.Distinct().Should().HaveCountGreaterThan(30, "different rows get different answers");
    }

    [Fact]
    public void A_rank_one_output_is_one_value_per_row()
    {
        using var scorer = OnnxScorer.Load(OnnxGraphs.Linear([1f, 2f, 3f]));
        scorer.OutputCount.Should().Be(1);
        var outputs = new float[2];
        scorer.PredictBatch([1f, 1f, 1f, 0.5f, -1f, 2f], 2, outputs);
        outputs.Should().Equal(6f, 4.5f);
    }

    [Fact]
    public void A_classifier_serves_its_probabilities_and_ignores_its_label_output()
    {
        var weights = new float[,] { { 1f, -1f, 0.5f }, { 0.2f, 0.3f, -0.7f } };
        using var scorer = OnnxScorer.Load(OnnxGraphs.SoftmaxClassifier(weights, [0.1f, 0f, -0.1f]));
        scorer.OutputName.Should().Be("probabilities");
        scorer.HasLabelOutput.Should().BeTrue();
        scorer.OutputCount.Should().Be(3);

        var row = new[] { 0.4f, -1.5f };
        var output = new float[3];
        scorer.Predict(row, output);
        var logits = Enumerable.Range(0, 3).Select(k => row[0] * (double)weights[0, k] + row[1] * (double)weights[1, k] + new[] { 0.1, 0, -0.1 }[k]).ToArray();
        var sum = logits.Sum(Math.Exp);
        for (var k = 0; k < 3; k++)
        {
            output[k].Should().BeApproximately((float)(Math.Exp(logits[k]) / sum), 1e-6f);
        }
    }

    [Fact]
    public void A_symbolic_feature_dimension_needs_the_feature_count()
    {
        var act = () => OnnxScorer.Load(OnnxGraphs.Logistic(Weights, Bias, symbolicFeatures: true));
        act.Should().Throw<UnsupportedModelException>().WithMessage("*symbolic*--features*");

        using var scorer = OnnxScorer.Load(OnnxGraphs.Logistic(Weights, Bias, symbolicFeatures: true), featureCount: 4);
        scorer.FeatureCount.Should().Be(4);
    }

    [Fact]
    public void A_feature_count_that_contradicts_the_graph_is_refused()
    {
        var act = () => OnnxScorer.Load(OnnxGraphs.Logistic(Weights, Bias), featureCount: 5);
        act.Should().Throw<UnsupportedModelException>().WithMessage("*takes 4 features*5 feature names*");
    }

    [Fact]
    public void A_graph_with_two_inputs_is_refused_saying_so()
    {
        var act = () => OnnxScorer.Load(OnnxGraphs.TwoInputs());
        act.Should().Throw<UnsupportedModelException>().WithMessage("*2 inputs (A, B)*exactly one float tensor input*");
    }

    [Fact]
    public void A_non_float_input_is_refused_naming_its_type()
    {
        var act = () => OnnxScorer.Load(OnnxGraphs.DoubleInput());
        act.Should().Throw<UnsupportedModelException>().WithMessage("*input 'X' is a Double tensor*float tensor*");
    }

    [Fact]
    public void Two_float_outputs_are_refused_naming_them()
    {
        var act = () => OnnxScorer.Load(OnnxGraphs.TwoFloatOutputs());
        act.Should().Throw<UnsupportedModelException>().WithMessage("*2 float outputs (Y, P)*");
    }

    [Fact]
    public void Bytes_that_are_no_onnx_model_are_refused()
    {
        var act = () => OnnxScorer.Load("not a model"u8.ToArray());
        act.Should().Throw<UnsupportedModelException>().WithMessage("ONNX Runtime cannot load the model*");
    }

    [Fact]
    public void Rows_of_the_wrong_length_are_refused_before_the_runtime_sees_them()
    {
        using var scorer = OnnxScorer.Load(OnnxGraphs.Logistic(Weights, Bias));
        var act = () => scorer.Predict([1f, 2f], new float[1]);
        act.Should().Throw<ArgumentException>().WithMessage("*4 features*got 2*");
        var batch = () => scorer.PredictBatch(new float[8], 2, new float[3]);
        batch.Should().Throw<ArgumentException>().WithMessage("*must hold 2*");
    }
}
