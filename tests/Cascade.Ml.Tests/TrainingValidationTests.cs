using Cascade.Ml.Native;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests;

public class TrainingValidationTests
{
    [Fact]
    public void A_misspelled_parameter_is_refused_with_a_suggestion()
    {
        var act = () => XGBoostTrainer.Train(SyntheticData.Binary(100), null, new TrainingOptions { Parameters = new() { ["max_dept"] = "3" } });
        act.Should().Throw<ArgumentException>().WithMessage("*Unknown XGBoost parameter 'max_dept'*Did you mean max_depth*");
    }

    [Fact]
    public void An_objective_the_evaluator_cannot_serve_is_refused()
    {
        var act = () => XGBoostTrainer.Train(SyntheticData.Binary(100), null, new TrainingOptions { Parameters = new() { ["objective"] = "rank:pairwise" } });
        act.Should().Throw<ArgumentException>().WithMessage("*rank:pairwise*not supported*binary:logistic*");
    }

    [Fact]
    public void A_cuda_request_is_refused_on_a_build_without_cuda()
    {
        XGBoostLibrary.HasCuda.Should().BeFalse("Debian's libxgboost0 is built without CUDA");
        var act = () => XGBoostTrainer.Train(SyntheticData.Binary(100), null, new TrainingOptions { Device = "cuda" });
        act.Should().Throw<ArgumentException>().WithMessage("*CUDA*built without CUDA*--device cpu*");
    }

    [Fact]
    public void Binary_labels_other_than_0_and_1_are_refused_naming_the_row()
    {
        var data = SyntheticData.Binary(50);
        data.Labels![7] = 2;
        var act = () => XGBoostTrainer.Train(data, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" } });
        act.Should().Throw<ArgumentException>().WithMessage("Row 7:*0 or 1*");
    }

    [Fact]
    public void Softprob_without_num_class_is_refused()
    {
        var act = () => XGBoostTrainer.Train(SyntheticData.Binary(50), null, new TrainingOptions { Parameters = new() { ["objective"] = "multi:softprob" } });
        act.Should().Throw<ArgumentException>().WithMessage("*num_class*");
    }

    [Fact]
    public void XGBoost_errors_carry_xgboost_s_own_message()
    {
        var act = () => XGBoostTrainer.Train(SyntheticData.Binary(50), null, new TrainingOptions { Parameters = new() { ["max_depth"] = "-3" } });
        act.Should().Throw<XGBoostException>().Which.Message.Should().Contain("max_depth");
    }

    [Fact]
    public void Early_stopping_keeps_the_best_round()
    {
        var train = SyntheticData.Binary(600, seed: 2);
        var valid = SyntheticData.Binary(300, seed: 3);
        var options = new TrainingOptions
        {
            // A high learning rate overfits quickly, so validation loss turns up well before 300 rounds.
            Parameters = new() { ["objective"] = "binary:logistic", ["eta"] = "0.9", ["max_depth"] = "6" },
            Rounds = 300,
            EarlyStoppingRounds = 10,
        };
        var result = XGBoostTrainer.Train(train, valid, options);
        using var model = result.Model;
        result.BestRound.Should().BeLessThan(290);
        model.Rounds.Should().Be(result.BestRound + 1);
        result.EvaluationLog.Should().HaveCount(result.BestRound + 11, "training stops 10 rounds after the best one");
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var data = SyntheticData.Binary(500, seed: 4);
        var options = new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic", ["subsample"] = "0.7" }, Rounds = 20 };
        using var first = XGBoostTrainer.Train(data, null, options).Model;
        using var second = XGBoostTrainer.Train(data, null, options).Model;
        first.SaveUbj().Should().Equal(second.SaveUbj());
    }
}
