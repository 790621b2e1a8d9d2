using System.Text;
using System.Text.Json.Nodes;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests;

public class CompiledModelTests
{
    private static (CompiledModel Compiled, TrainedModel XGBoost, string Json) Train(string objective = "binary:logistic", int rounds = 30)
    {
        var data = SyntheticData.Binary(800, seed: 9, missingRate: 0.1);
        var model = XGBoostTrainer.Train(data, null, new TrainingOptions { Parameters = new() { ["objective"] = objective, ["max_depth"] = "6" }, Rounds = rounds }).Model;
        var json = Encoding.UTF8.GetString(model.SaveJson());
        return (CompiledModel.FromXgboostJson(json), model, json);
    }

    [Fact]
    public void Predictions_are_bit_identical_to_xgboost_on_rows_with_and_without_missing_values()
    {
        var (compiled, xgboost, _) = Train();
        using var _ = xgboost;
        var data = SyntheticData.Binary(2000, seed: 10, missingRate: 0.2);
        var expected = xgboost.Predict(data);
        var actual = new float[data.Rows];
        compiled.PredictBatch(data.Features, data.Rows, actual);
        actual.Select(BitConverter.SingleToUInt32Bits).Should().Equal(expected.Select(BitConverter.SingleToUInt32Bits));
    }

    [Fact]
    public void A_prediction_allocates_nothing()
    {
        var (compiled, xgboost, _) = Train();
        xgboost.Dispose();
        var row = new float[] { 0.1f, float.NaN, -1.2f, 0.5f, 1.5f };
        var output = new float[1];
        compiled.Predict(row, output);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            compiled.Predict(row, output);
        }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Concurrent_predictions_agree_with_sequential_ones()
    {
        var (compiled, xgboost, _) = Train();
        xgboost.Dispose();
        var data = SyntheticData.Binary(1000, seed: 11);
        var sequential = new float[data.Rows];
        compiled.PredictBatch(data.Features, data.Rows, sequential);
        var parallel = new float[data.Rows];
        Parallel.For(0, data.Rows, new ParallelOptions { MaxDegreeOfParallelism = 8 }, r => compiled.Predict(data.Row(r), parallel.AsSpan(r, 1)));
        parallel.Should().Equal(sequential);
    }

    [Fact]
    public void Wrong_row_length_is_an_argument_error_saying_what_was_expected()
    {
        var (compiled, xgboost, _) = Train();
        xgboost.Dispose();
        var act = () => compiled.Predict(new float[3], new float[1]);
        act.Should().Throw<ArgumentException>().WithMessage("*expects 5 features*got 3*");
    }

    [Theory]
    [InlineData("dart", "*dart*")]
    [InlineData("gblinear", "*gblinear*")]
    public void Other_boosters_are_refused_at_load(string booster, string message)
    {
        var (_, xgboost, json) = Train();
        xgboost.Dispose();
        var document = JsonNode.Parse(json)!;
        document["learner"]!["gradient_booster"]!["name"] = booster;
        var act = () => CompiledModel.FromXgboostJson(document.ToJsonString());
        act.Should().Throw<UnsupportedModelException>().WithMessage(message);
    }

    [Fact]
    public void Categorical_splits_are_refused_at_load()
    {
        var (_, xgboost, json) = Train();
        xgboost.Dispose();
        var document = JsonNode.Parse(json)!;
        var tree = document["learner"]!["gradient_booster"]!["model"]!["trees"]![0]!;
        tree["split_type"]![0] = 1;
        var act = () => CompiledModel.FromXgboostJson(document.ToJsonString());
        act.Should().Throw<UnsupportedModelException>().WithMessage("*categorical*");
    }

    [Fact]
    public void Unsupported_objectives_are_refused_at_load()
    {
        var (_, xgboost, json) = Train();
        xgboost.Dispose();
        var document = JsonNode.Parse(json)!;
        document["learner"]!["objective"]!["name"] = "reg:gamma";
        var act = () => CompiledModel.FromXgboostJson(document.ToJsonString());
        act.Should().Throw<UnsupportedModelException>().WithMessage("*reg:gamma*");
    }
}

public class ContributionTests
{
    [Fact]
    public void TreeShap_contributions_from_xgboost_sum_to_the_margin_of_each_row()
    {
        var data = SyntheticData.Binary(200, seed: 12);
        using var model = XGBoostTrainer.Train(data, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 20 }).Model;
        var compiled = CompiledModel.FromXgboostJson(Encoding.UTF8.GetString(model.SaveJson()));
        var contributions = model.Contributions(data);
        contributions.Should().HaveCount(data.Rows * (data.Columns + 1), "one value per feature plus the bias, per row");
        Span<float> margin = stackalloc float[1];
        for (var r = 0; r < data.Rows; r++)
        {
            compiled.PredictMargin(data.Row(r), margin);
            var sum = contributions.AsSpan(r * (data.Columns + 1), data.Columns + 1).ToArray().Sum(v => (double)v);
            sum.Should().BeApproximately(margin[0], 1e-4, $"row {r}");
        }
    }
}
