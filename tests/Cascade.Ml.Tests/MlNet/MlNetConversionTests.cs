using System.Text;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.MlNet;
using Cascade.Ml.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cascade.Ml.Tests.MlNet;

/// <summary>
/// ML.NET ensembles converted into Cascade's gbtree form predict what ML.NET's own PredictionEngine predicts (within
/// 1e-6 · max(1, |value|)) on rows the models never saw, missing values included; and XGBoost, loading the same
/// converted model, agrees with the compiled evaluator bit for bit.
/// </summary>
public sealed class MlNetConversionTests
{
    [Theory]
    [InlineData(Trainers.MlNetFastTree, "binary:logistic")]
    [InlineData(Trainers.MlNetFastTree, "reg:squarederror")]
    [InlineData(Trainers.MlNetFastTree, "multi:softprob")]
    [InlineData(Trainers.MlNetLightGbm, "binary:logistic")]
    [InlineData(Trainers.MlNetLightGbm, "reg:squarederror")]
    [InlineData(Trainers.MlNetLightGbm, "multi:softprob")]
    public void Converted_model_predicts_what_the_PredictionEngine_predicts(string trainer, string objective)
    {
        var (train, unseen) = Tables(objective);
        var training = MlNetTrainer.TrainMlNet(trainer, train, null, Options(objective, rounds: 40));
        var compiled = CompiledModel.FromXgboostJson(Encoding.UTF8.GetString(training.Ensemble.ToXGBoostJson()));
        var converted = MlNetReference.Converted(compiled, unseen);

        var engineOutputs = EngineOutputs(training, unseen);

        converted.Should().HaveCount(engineOutputs.Length);
        for (var i = 0; i < converted.Length; i++)
        {
            converted[i].Should().BeApproximately(engineOutputs[i], (float)(1e-6 * Math.Max(1, Math.Abs(engineOutputs[i]))), $"output {i} (row {i / compiled.OutputCount})");
        }
        unseen.Features.Should().Contain(float.NaN, "the unseen rows exercise the missing-value routing");
    }

    [Theory]
    [InlineData(Trainers.MlNetFastTree, "binary:logistic")]
    [InlineData(Trainers.MlNetLightGbm, "multi:softprob")]
    public void XGBoost_loads_the_converted_model_and_agrees_with_the_compiled_evaluator_bit_for_bit(string trainer, string objective)
    {
        var (train, unseen) = Tables(objective);
        var result = MlNetTrainer.Train(trainer, train, null, Options(objective, rounds: 30));
        using var model = result.Model;
        var compiled = CompiledModel.FromXgboostJson(Encoding.UTF8.GetString(model.SaveJson()));

        var xgboost = model.Predict(unseen);
        var cascade = MlNetReference.Converted(compiled, unseen);

        cascade.Select(BitConverter.SingleToUInt32Bits).Should().Equal(xgboost.Select(BitConverter.SingleToUInt32Bits));
        model.Parameters.Should().Contain("trainer", trainer);
    }

    [Fact]
    public void Explanations_of_a_converted_model_sum_to_its_margin()
    {
        var (train, unseen) = Tables("binary:logistic");
        var result = MlNetTrainer.Train(Trainers.MlNetFastTree, train, null, Options("binary:logistic", rounds: 20));
        using var model = result.Model;

        var contributions = model.Contributions(unseen);
        var probabilities = model.Predict(unseen);

        for (var r = 0; r < unseen.Rows; r++)
        {
            var margin = contributions.AsSpan(r * (unseen.Columns + 1), unseen.Columns + 1).ToArray().Sum();
            var probability = 1 / (1 + Math.Exp(-margin));
            probability.Should().BeApproximately(probabilities[r], 1e-5, $"row {r}: TreeSHAP over the converted trees (their covers are the training rows) adds up to the prediction");
        }
        contributions.Where((c, i) => i % (unseen.Columns + 1) < unseen.Columns).Should().Contain(c => c != 0f);
    }

    [Theory]
    [InlineData(Trainers.MlNetFastTree)]
    [InlineData(Trainers.MlNetLightGbm)]
    public void The_same_request_trains_the_same_model_again(string trainer)
    {
        var (train, _) = Tables("binary:logistic");
        var options = Options("binary:logistic", rounds: 15);
        options.Parameters["nthread"] = "2";

        var first = MlNetTrainer.TrainMlNet(trainer, train, null, options);
        var second = MlNetTrainer.TrainMlNet(trainer, train, null, options);

        second.Ensemble.ToXGBoostJson().Should().Equal(first.Ensemble.ToXGBoostJson());
        first.Parameters.Should().Contain("max_depth", "4").And.Contain("eta", "0.2").And.Contain("trainer", trainer);
    }

    [Fact]
    public void A_FastTree_threshold_becomes_the_next_float_up_so_values_equal_to_it_still_go_left()
    {
        MlNetEnsembleReader.SplitCondition(0.5f).Should().Be(MathF.BitIncrement(0.5f));
        // ML.NET: 0.5 <= 0.5 goes left; XGBoost: 0.5 < next-float-up(0.5) goes left too, and that next float itself right.
        (0.5f < MlNetEnsembleReader.SplitCondition(0.5f)).Should().BeTrue();
        (MathF.BitIncrement(0.5f) < MlNetEnsembleReader.SplitCondition(0.5f)).Should().BeFalse();
        MlNetEnsembleReader.SplitCondition(float.MaxValue).Should().Be(float.MaxValue, "JSON holds no infinity");
    }

    internal static (TabularData Train, TabularData Unseen) Tables(string objective) => objective switch
    {
        "binary:logistic" => (MlNetTables.Binary(1500, seed: 71), MlNetTables.Binary(300, seed: 72)),
        "reg:squarederror" => (MlNetTables.Regression(1500, seed: 73), MlNetTables.Regression(300, seed: 74)),
        _ => (MlNetTables.ThreeClasses(1500, seed: 75), MlNetTables.ThreeClasses(300, seed: 76)),
    };

    internal static TrainingOptions Options(string objective, int rounds)
    {
        var parameters = new Dictionary<string, string> { ["objective"] = objective, ["max_depth"] = "4", ["eta"] = "0.2", ["min_child_weight"] = "5" };
        if (objective == "multi:softprob") parameters["num_class"] = "3";
        return new TrainingOptions { Parameters = parameters, Rounds = rounds };
    }

    /// <summary>Row by row through ML.NET's PredictionEngine, in Cascade's terms (for FastTree's one-versus-all: the softmax of each class's log-odds).</summary>
    private static float[] EngineOutputs(MlNetTraining training, TabularData rows)
    {
        var context = training.Context;
        var transformer = (ITransformer)training.Predictor;
        var outputs = new List<float>();
        switch (training.Ensemble.Objective)
        {
            case "binary:logistic":
                using (var engine = context.Model.CreatePredictionEngine<Row, BinaryOutput>(transformer))
                {
                    for (var r = 0; r < rows.Rows; r++) outputs.Add(engine.Predict(new Row { Features = rows.Row(r).ToArray() }).Probability);
                }
                break;
            case "reg:squarederror":
                using (var engine = context.Model.CreatePredictionEngine<Row, ValueOutput>(transformer))
                {
                    for (var r = 0; r < rows.Rows; r++) outputs.Add(engine.Predict(new Row { Features = rows.Row(r).ToArray() }).Score);
                }
                break;
            default:
                var softmaxOfLogOdds = training.Parameters["trainer"] == Trainers.MlNetFastTree;
                var platt = softmaxOfLogOdds ? ClassCalibrators(training) : null;
                using (var engine = context.Model.CreatePredictionEngine<Row, ClassOutput>(transformer))
                {
                    for (var r = 0; r < rows.Rows; r++)
                    {
                        var scores = engine.Predict(new Row { Features = rows.Row(r).ToArray() }).Score;
                        outputs.AddRange(platt is null ? scores : Softmax(scores.Select((s, k) => -(platt[k].Slope * s + platt[k].Offset)).ToArray()));
                    }
                }
                break;
        }
        return outputs.ToArray();
    }

    private static Microsoft.ML.Calibrators.PlattCalibrator[] ClassCalibrators(MlNetTraining training) =>
        MlNetInternals.SubModels((Microsoft.ML.Trainers.OneVersusAllModelParameters)training.Predictor.Model)
            .Select(m => (Microsoft.ML.Calibrators.PlattCalibrator)((Microsoft.ML.Calibrators.CalibratedModelParametersBase)m).Calibrator).ToArray();

    private static IEnumerable<float> Softmax(double[] logits)
    {
        var max = logits.Max();
        var exps = logits.Select(l => Math.Exp(l - max)).ToArray();
        var sum = exps.Sum();
        return exps.Select(e => (float)(e / sum));
    }

    private sealed class Row
    {
        [VectorType(6)]
        public float[] Features { get; set; } = [];
    }

    private sealed class BinaryOutput
    {
        public float Probability { get; set; }
    }

    private sealed class ValueOutput
    {
        public float Score { get; set; }
    }

    private sealed class ClassOutput
    {
        public float[] Score { get; set; } = [];
    }
}
