using System.Text;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Evaluation.Vectorised;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests.Evaluation;

/// <summary>The vectorised evaluator (complete trees walked with gathers) gives the node table's predictions bit for bit.</summary>
public class VectorisedModelTests
{
    /// <summary>Batch sizes around every boundary of the walk: one vector (8), four in step (32), a block (64), and their remainders.</summary>
    public static TheoryData<int> BatchSizes => new() { 1, 7, 8, 9, 31, 33, 64, 65, 100, 1000, 1031 };

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    /// <summary>Scores <paramref name="rowCount"/> rows as one batch and one row at a time, and holds both to the node table.</summary>
    private static void ShouldAgreeBitForBit(CompiledModel model, IModelScorer scorer, float[] rows, int rowCount)
    {
        var width = model.FeatureCount;
        var outputs = model.OutputCount;
        var expected = new float[rowCount * outputs];
        for (var r = 0; r < rowCount; r++)
        {
            model.Predict(rows.AsSpan(r * width, width), expected.AsSpan(r * outputs, outputs));
        }

        var batch = new float[expected.Length];
        scorer.PredictBatch(rows.AsSpan(0, rowCount * width), rowCount, batch);
        Bits(batch).Should().Equal(Bits(expected), $"a batch of {rowCount} must be scored bit for bit as the node table scores it");

        var single = new float[expected.Length];
        for (var r = 0; r < rowCount; r++)
        {
            scorer.Predict(rows.AsSpan(r * width, width), single.AsSpan(r * outputs, outputs));
        }
        Bits(single).Should().Equal(Bits(expected), "one row at a time must be scored bit for bit as the node table scores it");
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Random_unbalanced_trees_with_missing_values_are_bit_identical_for_every_batch_size(int rowCount)
    {
        // 29 trees: three full groups of eight and a partial one; depths differ from group to group.
        var json = RandomEnsembles.Json(seed: rowCount, trees: 29, features: 11, maxDepth: 7);
        var model = CompiledModel.FromXgboostJson(json);
        var rows = RandomEnsembles.Rows(seed: rowCount + 1, rowCount, model.FeatureCount);
        ShouldAgreeBitForBit(model, VectorisedModel.From(model), rows, rowCount);
    }

    [Theory]
    [InlineData(6, 0, 0.0)]
    [InlineData(1, 1, 0.0)]
    [InlineData(7, 2, 0.0)]
    [InlineData(2, 8, 0.0)]
    [InlineData(3, 10, 0.5)]
    [InlineData(4, 10, 0.1)]
    [InlineData(5, 3, 0.9)]
    public void Depths_from_stumps_to_the_deepest_laid_out_are_bit_identical(int seed, int maxDepth, double leafProbability)
    {
        var json = RandomEnsembles.Json(seed, trees: 40, features: 6, maxDepth, leafProbability: leafProbability);
        var model = CompiledModel.FromXgboostJson(json);
        var rows = RandomEnsembles.Rows(seed, 777, model.FeatureCount);
        ShouldAgreeBitForBit(model, VectorisedModel.From(model), rows, 777);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(300)]
    public void Neighbouring_groups_of_eight_trees_of_different_depths_are_bit_identical(int rowCount)
    {
        // Groups of eight trees padded to depths 2, 5, 5, 0 (single leaves), 9 and a partial group of 3: one row walks
        // unpaired groups, a pair of equal depth and a last group of fewer than eight trees; a batch walks all of them.
        int[] groupDepths = [2, 5, 5, 0, 9, 3];
        var json = RandomEnsembles.Json(seed: 30, trees: 43, features: 5, maxDepth: 0, leafProbability: 0, treeDepth: t => groupDepths[t / 8]);
        var model = CompiledModel.FromXgboostJson(json);
        var rows = RandomEnsembles.Rows(seed: 31, rowCount, model.FeatureCount);
        ShouldAgreeBitForBit(model, VectorisedModel.From(model), rows, rowCount);
        ShouldAgreeBitForBit(model, VectorisedModel.From(model, useGathers: false), rows, rowCount);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Multiclass_models_add_each_tree_to_its_class_in_tree_order(int classes)
    {
        var json = RandomEnsembles.Json(seed: 40 + classes, trees: 10 * classes + 1, features: 9, maxDepth: 6, objective: "multi:softprob", classes: classes);
        var model = CompiledModel.FromXgboostJson(json);
        model.OutputCount.Should().Be(classes);
        var rows = RandomEnsembles.Rows(seed: 7, 1031, model.FeatureCount);
        ShouldAgreeBitForBit(model, VectorisedModel.From(model), rows, 1031);
    }

    [Fact]
    public void Regression_models_are_bit_identical()
    {
        var json = RandomEnsembles.Json(seed: 8, trees: 17, features: 4, maxDepth: 5, objective: "reg:squarederror");
        var model = CompiledModel.FromXgboostJson(json);
        var rows = RandomEnsembles.Rows(seed: 9, 300, model.FeatureCount);
        ShouldAgreeBitForBit(model, VectorisedModel.From(model), rows, 300);
    }

    [Theory]
    [InlineData("binary:logistic")]
    [InlineData("multi:softprob")]
    public void The_fallback_without_gathers_is_bit_identical(string objective)
    {
        var json = RandomEnsembles.Json(seed: 10, trees: 21, features: 7, maxDepth: 6, objective: objective, classes: 3);
        var model = CompiledModel.FromXgboostJson(json);
        var rows = RandomEnsembles.Rows(seed: 11, 200, model.FeatureCount);
        ShouldAgreeBitForBit(model, VectorisedModel.From(model, useGathers: false), rows, 200);
    }

    [Theory]
    [InlineData("binary:logistic")]
    [InlineData("reg:squarederror")]
    [InlineData("multi:softprob")]
    public void Models_trained_by_xgboost_are_bit_identical(string objective)
    {
        var data = SyntheticData.Binary(1500, seed: 21, missingRate: 0.1);
        if (objective == "multi:softprob")
        {
            data = new TabularData(data.Features, data.Rows, data.FeatureNames, Enumerable.Range(0, data.Rows).Select(r => data.Row(r)[0] switch { < -0.5f => 1f, > 0.7f => 2f, _ => 0f }).ToArray());
        }
        var parameters = new Dictionary<string, string> { ["objective"] = objective, ["max_depth"] = "6" };
        if (objective == "multi:softprob")
        {
            parameters["num_class"] = "3";
        }
        using var trained = XGBoostTrainer.Train(data, null, new TrainingOptions { Parameters = parameters, Rounds = 30 }).Model;
        var model = CompiledModel.FromXgboostJson(Encoding.UTF8.GetString(trained.SaveJson()));
        var rows = SyntheticData.Binary(1031, seed: 22, missingRate: 0.2).Features;
        ShouldAgreeBitForBit(model, VectorisedModel.From(model), rows, 1031);
    }

    [Fact]
    public void A_tree_deeper_than_the_layout_is_refused()
    {
        var json = RandomEnsembles.Json(seed: 12, trees: 3, features: 5, maxDepth: CompleteTreeLayout.MaxDepth + 1, leafProbability: 0);
        var model = CompiledModel.FromXgboostJson(json);
        var act = () => VectorisedModel.From(model);
        act.Should().Throw<UnsupportedModelException>().WithMessage($"*{CompleteTreeLayout.MaxDepth + 1} levels deep*");
    }

    [Fact]
    public void Predictions_allocate_nothing()
    {
        var json = RandomEnsembles.Json(seed: 13, trees: 30, features: 8, maxDepth: 6, objective: "multi:softprob", classes: 3);
        var model = CompiledModel.FromXgboostJson(json);
        var vectorised = VectorisedModel.From(model);
        var rows = RandomEnsembles.Rows(seed: 14, 100, model.FeatureCount);
        var outputs = new float[100 * model.OutputCount];
        vectorised.PredictBatch(rows, 100, outputs);
        vectorised.Predict(rows.AsSpan(0, model.FeatureCount), outputs.AsSpan(0, model.OutputCount));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            vectorised.PredictBatch(rows, 100, outputs);
            vectorised.Predict(rows.AsSpan(0, model.FeatureCount), outputs.AsSpan(0, model.OutputCount));
        }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Wrong_lengths_are_argument_errors()
    {
        var model = CompiledModel.FromXgboostJson(RandomEnsembles.Json(seed: 15, trees: 2, features: 5, maxDepth: 3));
        var vectorised = VectorisedModel.From(model);
        var row = () => vectorised.Predict(new float[3], new float[1]);
        row.Should().Throw<ArgumentException>().WithMessage("*expects 5 features*got 3*");
        var batch = () => vectorised.PredictBatch(new float[7], 2, new float[2]);
        batch.Should().Throw<ArgumentException>().WithMessage("*7 values do not make 2 rows*");
    }
}
