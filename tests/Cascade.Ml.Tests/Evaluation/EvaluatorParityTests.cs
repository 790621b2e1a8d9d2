using System.Text;
using System.Text.Json.Nodes;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Evaluation.Jit;
using Cascade.Ml.Evaluation.Quantised;
using Cascade.Ml.Evaluation.Vectorised;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests.Evaluation;

/// <summary>The IL-compiled, quantised and vectorised evaluators, and the default engine, give the node table's predictions bit for bit.</summary>
public class EvaluatorParityTests
{
    private static (CompiledModel Model, string Json) Train(string objective, int rounds, Dictionary<string, string>? extra = null, int rows = 1500)
    {
        var data = SyntheticData.Binary(rows, seed: 21, missingRate: 0.1);
        if (objective == "multi:softprob")
        {
            // Three classes from the first feature's range (NaN → class 0).
            data = new TabularData(data.Features, data.Rows, data.FeatureNames, Enumerable.Range(0, data.Rows).Select(r => data.Row(r)[0] switch { < -0.5f => 1f, > 0.7f => 2f, _ => 0f }).ToArray());
        }
        else if (objective == "reg:squarederror")
        {
            data = new TabularData(data.Features, data.Rows, data.FeatureNames, Enumerable.Range(0, data.Rows).Select(r => 3 * (float.IsNaN(data.Row(r)[1]) ? 0 : data.Row(r)[1]) + data.Labels![r]).ToArray());
        }
        var parameters = new Dictionary<string, string> { ["objective"] = objective, ["max_depth"] = "6" };
        if (objective == "multi:softprob")
        {
            parameters["num_class"] = "3";
        }
        foreach (var (key, value) in extra ?? [])
        {
            parameters[key] = value;
        }
        using var trained = XGBoostTrainer.Train(data, null, new TrainingOptions { Parameters = parameters, Rounds = rounds }).Model;
        var json = Encoding.UTF8.GetString(trained.SaveJson());
        return (CompiledModel.FromXgboostJson(json), json);
    }

    /// <summary>
    /// Random rows with NaNs, plus rows whose values sit exactly on the model's thresholds (and just below them),
    /// where a wrong compare or a wrong bin would first show; ±0, ±∞ too.
    /// </summary>
    private static float[] Rows(string json, int featureCount, int rows, int seed)
    {
        var thresholds = JsonNode.Parse(json)!["learner"]!["gradient_booster"]!["model"]!["trees"]!.AsArray()
            .SelectMany(tree => tree!["split_conditions"]!.AsArray().Select(c => (float)c!.GetValue<double>()))
            .Distinct().ToArray();
        var random = new Random(seed);
        var values = new float[rows * featureCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(10) switch
            {
                0 => float.NaN,
                1 or 2 => thresholds[random.Next(thresholds.Length)],
                3 => MathF.BitDecrement(thresholds[random.Next(thresholds.Length)]),
                4 => random.Next(4) switch { 0 => 0f, 1 => -0f, 2 => float.PositiveInfinity, _ => float.NegativeInfinity },
                _ => (float)(random.NextDouble() * 5 - 2.5),
            };
        }
        return values;
    }

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    private static void ShouldAgreeBitForBit(CompiledModel model, string json, IModelScorer scorer)
    {
        const int rowCount = 3000;
        var rows = Rows(json, model.FeatureCount, rowCount, seed: 5);
        var expected = new float[rowCount * model.OutputCount];
        model.PredictBatch(rows, rowCount, expected);

        var batch = new float[expected.Length];
        scorer.PredictBatch(rows, rowCount, batch);
        Bits(batch).Should().Equal(Bits(expected), "a batch must be scored bit for bit as the node table scores it");

        var single = new float[expected.Length];
        for (var r = 0; r < rowCount; r++)
        {
            scorer.Predict(rows.AsSpan(r * model.FeatureCount, model.FeatureCount), single.AsSpan(r * model.OutputCount, model.OutputCount));
        }
        Bits(single).Should().Equal(Bits(expected), "one row at a time must be scored bit for bit as the node table scores it");
    }

    [Theory]
    [InlineData("binary:logistic")]
    [InlineData("reg:squarederror")]
    [InlineData("multi:softprob")]
    public void The_jit_compiled_model_is_bit_identical_to_the_node_table(string objective)
    {
        var (model, json) = Train(objective, rounds: 40);
        ShouldAgreeBitForBit(model, json, JitCompiledModel.Compile(model));
    }

    [Theory]
    [InlineData("binary:logistic")]
    [InlineData("reg:squarederror")]
    [InlineData("multi:softprob")]
    public void The_quantised_model_is_bit_identical_to_the_node_table(string objective)
    {
        var (model, json) = Train(objective, rounds: 40);
        ShouldAgreeBitForBit(model, json, QuantisedModel.From(model));
    }

    [Theory]
    [InlineData("binary:logistic")]
    [InlineData("reg:squarederror")]
    [InlineData("multi:softprob")]
    public void The_vectorised_model_and_the_default_engine_are_bit_identical_to_the_node_table(string objective)
    {
        var (model, json) = Train(objective, rounds: 40);
        ShouldAgreeBitForBit(model, json, VectorisedModel.From(model));
        ShouldAgreeBitForBit(model, json, TreeScorers.Create(model));
    }

    [Fact]
    public void Deep_loss_guided_trees_compile_one_per_method_and_stay_bit_identical()
    {
        var (model, json) = Train("binary:logistic", rounds: 4, new() { ["max_depth"] = "0", ["grow_policy"] = "lossguide", ["max_leaves"] = "1000", ["min_child_weight"] = "0", ["lambda"] = "0", ["gamma"] = "0" }, rows: 6000);
        model.NodeCount.Should().BeGreaterThan(4 * 1000, "trees of over a thousand nodes never share a generated method");
        var jit = JitCompiledModel.Compile(model);
        jit.MethodCount.Should().Be(model.TreeCount);
        ShouldAgreeBitForBit(model, json, jit);
        ShouldAgreeBitForBit(model, json, QuantisedModel.From(model));
        TreeScorers.Create(model).Should().BeOfType<JitCompiledModel>("trees over ten levels deep are not laid out as complete trees");
    }

    [Fact]
    public void Many_trees_are_split_across_several_generated_methods()
    {
        var (model, _) = Train("binary:logistic", rounds: 120);
        var jit = JitCompiledModel.Compile(model);
        jit.MethodCount.Should().BeGreaterThan(1).And.BeLessThan(model.TreeCount);
    }

    [Fact]
    public void A_model_too_deep_to_vectorise_and_over_the_node_budget_is_scored_by_the_node_table()
    {
        var model = CompiledModel.FromXgboostJson(ChainTreeJson(20));
        TreeScorers.Create(model, TreeEngine.Jit, maxCompiledNodes: model.NodeCount - 1).Should().BeSameAs(model);
        TreeScorers.Create(model, TreeEngine.Jit, maxCompiledNodes: model.NodeCount).Should().BeOfType<JitCompiledModel>();
        TreeScorers.Create(model, TreeEngine.NodeTable).Should().BeSameAs(model);
        TreeScorers.Create(model, TreeEngine.Quantised).Should().BeOfType<QuantisedModel>();
    }

    [Fact]
    public void The_default_engine_vectorises_trees_of_ten_levels_or_fewer_where_the_processor_has_avx2_whatever_the_node_budget()
    {
        var (model, _) = Train("binary:logistic", rounds: 10);
        var expected = VectorisedModel.IsHardwareAccelerated ? typeof(VectorisedModel) : typeof(CompiledModel);
        TreeScorers.Create(model, TreeEngine.Jit, maxCompiledNodes: 0).Should().BeOfType(expected, "the budget bounds code generation, and the vectorised model generates none");
        TreeScorers.Create(model, TreeEngine.NodeTable).Should().BeSameAs(model);
    }

    /// <summary>
    /// One regression tree shaped as a chain: inner node i splits feature i % 3 at i / 100 and sends values below it
    /// to a leaf of value i, everything else on to node i + 1 (missing values left on even nodes, right on odd ones).
    /// </summary>
    private static string ChainTreeJson(int innerNodes)
    {
        var left = new List<int>();
        var right = new List<int>();
        var features = new List<int>();
        var conditions = new List<string>();
        var defaults = new List<int>();
        for (var i = 0; i < innerNodes; i++)
        {
            // Node 2i is the i-th inner node, 2i + 1 its leaf; the last inner node's right child is the final leaf.
            left.Add(2 * i + 1);
            right.Add(2 * i + 2);
            features.Add(i % 3);
            conditions.Add((i / 100f).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + (i % 100 == 0 ? ".0" : string.Empty));
            defaults.Add(i % 2 == 0 ? 1 : 0);
            left.Add(-1);
            right.Add(-1);
            features.Add(0);
            conditions.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".5");
            defaults.Add(0);
        }
        left.Add(-1);
        right.Add(-1);
        features.Add(0);
        conditions.Add("-1.5");
        defaults.Add(0);
        string Array<T>(IEnumerable<T> values) => "[" + string.Join(',', values) + "]";
        var tree = $"\"left_children\":{Array(left)},\"right_children\":{Array(right)},\"split_indices\":{Array(features)},\"split_conditions\":{Array(conditions)},\"default_left\":{Array(defaults)}";
        return "{\"learner\":{\"objective\":{\"name\":\"reg:squarederror\"},\"learner_model_param\":{\"base_score\":\"5E-1\",\"num_feature\":\"3\",\"num_class\":\"0\"},"
            + "\"gradient_booster\":{\"name\":\"gbtree\",\"model\":{\"tree_info\":[0],\"trees\":[{" + tree + "}]}}}}";
    }

    [Fact]
    public void A_tree_too_large_for_one_method_is_scored_by_the_node_table_and_a_chain_quantises_bit_identically()
    {
        var json = ChainTreeJson(TreeScorers.MaxCompiledTreeNodes / 2);
        var model = CompiledModel.FromXgboostJson(json);
        model.NodeCount.Should().BeGreaterThan(TreeScorers.MaxCompiledTreeNodes);
        TreeScorers.Create(model, TreeEngine.Jit).Should().BeSameAs(model);
        ShouldAgreeBitForBit(model, json, QuantisedModel.From(model));

        var small = ChainTreeJson(500);
        var smallModel = CompiledModel.FromXgboostJson(small);
        TreeScorers.Create(smallModel, TreeEngine.Jit).Should().BeOfType<JitCompiledModel>();
        ShouldAgreeBitForBit(smallModel, small, JitCompiledModel.Compile(smallModel));
    }

    [Fact]
    public void Quantised_nodes_take_eight_bytes()
    {
        var (model, _) = Train("binary:logistic", rounds: 10);
        var quantised = QuantisedModel.From(model);
        QuantisedModel.NodeBytes.Should().Be(8);
        quantised.NodeCount.Should().Be(model.NodeCount);
        quantised.ModelBytes.Should().BeLessThan(model.NodeCount * 16L, "the node table spends 16 bytes a node");
    }

    [Fact]
    public void A_jit_prediction_allocates_nothing()
    {
        var (model, _) = Train("binary:logistic", rounds: 20);
        var jit = JitCompiledModel.Compile(model);
        var row = new float[] { 0.1f, float.NaN, -1.2f, 0.5f, 1.5f };
        var output = new float[1];
        jit.Predict(row, output);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            jit.Predict(row, output);
        }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Theory]
    [InlineData("jit", TreeEngine.Jit)]
    [InlineData("node-table", TreeEngine.NodeTable)]
    [InlineData("quantised", TreeEngine.Quantised)]
    public void Engine_names_round_trip(string name, TreeEngine engine)
    {
        TreeScorers.Parse(name).Should().Be(engine);
        TreeScorers.NameOf(engine).Should().Be(name);
    }

    [Fact]
    public void Wrong_row_length_is_an_argument_error()
    {
        var (model, _) = Train("binary:logistic", rounds: 5);
        var jit = () => JitCompiledModel.Compile(model).Predict(new float[3], new float[1]);
        jit.Should().Throw<ArgumentException>().WithMessage("*expects 5 features*got 3*");
        var quantised = () => QuantisedModel.From(model).PredictBatch(new float[7], 2, new float[2]);
        quantised.Should().Throw<ArgumentException>().WithMessage("*7 values do not make 2 rows*");
    }
}
