using System.Globalization;
using System.Text;
using System.Text.Json;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Optimization;
using Cascade.Ml.Training;

namespace Cascade.Cli.Tests.Optimize;

/// <summary>
/// Pruning keeps the holdout metric within its budget, and the pruned artifact is a full artifact: XGBoost and the
/// compiled evaluator agree on it bit for bit (its golden samples), and its manifest names its parent.
/// </summary>
public sealed class ModelOptimizerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-optimize-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Rows of five features (5% missing) and a label that fits the objective, as a CSV with a header.</summary>
    private string Csv(string name, string objective, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("a,b,c,d,e,label\n");
        for (var r = 0; r < rows; r++)
        {
            var x = Enumerable.Range(0, 5).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            var margin = x[0] - 0.5 * x[1] + x[2] * x[3] + (random.NextDouble() - 0.5) * 1.5;
            var label = objective switch
            {
                "binary:logistic" => margin > 0 ? 1 : 0,
                "multi:softprob" => margin < -0.7 ? 0 : margin < 0.7 ? 1 : 2,
                _ => margin,
            };
            text.Append(string.Join(',', x.Select(v => random.NextDouble() < 0.05 ? string.Empty : v.ToString("R", CultureInfo.InvariantCulture))));
            text.Append(',').Append(label.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private string Train(string objective, int rounds, string csv)
    {
        var train = CsvTable.Read(csv, "label");
        var parameters = new Dictionary<string, string> { ["objective"] = objective, ["max_depth"] = "4" };
        if (objective == "multi:softprob")
        {
            parameters["num_class"] = "3";
        }
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = parameters, Rounds = rounds });
        using var model = result.Model;
        var directory = Path.Combine(_root, "parent-" + objective.Replace(':', '-'));
        ArtifactWriter.Write(directory, result, train, null, "label");
        return directory;
    }

    [Theory]
    [InlineData("binary:logistic", "auc", 0.002)]
    [InlineData("reg:squarederror", "rmse", 0.01)]
    [InlineData("multi:softprob", "mlogloss", 0.005)]
    public void The_pruned_model_stays_within_its_budget_and_is_smaller(string objective, string metric, double budget)
    {
        var parent = Train(objective, rounds: 60, Csv("train.csv", objective, 1500, seed: 1));
        var holdout = Csv("holdout.csv", objective, 800, seed: 2);
        var output = Path.Combine(_root, "pruned");

        var outcome = ModelOptimizer.Optimize(parent, holdout, new PruningBudget(metric, budget), output);

        var pruning = outcome.Pruning;
        new PruningBudget(metric, budget).Loss(pruning.MetricBefore, pruning.MetricAfter).Should().BeLessThanOrEqualTo(budget);
        pruning.NodesAfter.Should().BeLessThan(pruning.NodesBefore, "60 rounds on 1,500 rows leave rounds and leaves that add next to nothing");
        outcome.After.Nodes.Should().Be(pruning.NodesAfter);
        outcome.After.ModelJsonBytes.Should().BeLessThan(outcome.Before.ModelJsonBytes);

        // The written artifact loads: hashes verified and XGBoost's golden outputs reproduced bit for bit.
        var artifact = ModelArtifact.Load(output);
        artifact.Compiled.TreeCount.Should().Be(pruning.TreesAfter);
        artifact.Manifest.Rounds.Should().Be(pruning.TreesAfter / artifact.Manifest.OutputsPerRow);
        artifact.Manifest.Metrics["holdout"][metric].Should().BeApproximately(pruning.MetricAfter, 1e-9, "XGBoost's predictions on the holdout are the compiled evaluator's");
    }

    [Fact]
    public void The_manifest_records_the_parent_the_method_and_the_budget()
    {
        var parent = Train("binary:logistic", rounds: 40, Csv("train.csv", "binary:logistic", 1200, seed: 3));
        var holdout = Csv("holdout.csv", "binary:logistic", 600, seed: 4);
        var output = Path.Combine(_root, "pruned");

        ModelOptimizer.Optimize(parent, holdout, new PruningBudget("auc", 0.001), output);

        var parentManifest = ModelArtifact.Load(parent).Manifest;
        var lineage = ModelArtifact.Load(output).Manifest.Optimization!;
        lineage.ParentModelSha256.Should().Be(parentManifest.Files[ArtifactFiles.ModelJson]);
        lineage.ParentManifestSha256.Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(parent, ArtifactFiles.Manifest)))));
        lineage.Method.Should().Be(ModelOptimizer.Method);
        lineage.Metric.Should().Be("auc");
        lineage.MaxLoss.Should().Be(0.001);
        lineage.HoldoutRows.Should().Be(600);
        lineage.HoldoutSha256.Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(holdout))));
        lineage.TreesBefore.Should().Be(40);
        ModelArtifact.Load(parent).Manifest.Optimization.Should().BeNull("a trained model has no parent");
    }

    [Fact]
    public void A_loose_budget_keeps_one_round_and_merges_leaves()
    {
        var parent = Train("binary:logistic", rounds: 20, Csv("train.csv", "binary:logistic", 1000, seed: 5));
        var holdout = Csv("holdout.csv", "binary:logistic", 500, seed: 6);

        var outcome = ModelOptimizer.Optimize(parent, holdout, new PruningBudget("auc", 0.5), Path.Combine(_root, "pruned"));

        outcome.Pruning.TreesAfter.Should().Be(1);
        outcome.Pruning.LeafPairsMerged.Should().BeGreaterThan(0);
        outcome.Pruning.NodesAfter.Should().BeLessThan(outcome.Before.Nodes / 20, "one tree is left, and merging shrank it further");
    }

    [Fact]
    public void A_zero_budget_never_makes_the_holdout_metric_worse()
    {
        var parent = Train("reg:squarederror", rounds: 30, Csv("train.csv", "reg:squarederror", 1000, seed: 7));
        var holdout = Csv("holdout.csv", "reg:squarederror", 500, seed: 8);

        var outcome = ModelOptimizer.Optimize(parent, holdout, new PruningBudget("rmse", 0), Path.Combine(_root, "pruned"));

        outcome.Pruning.MetricAfter.Should().BeLessThanOrEqualTo(outcome.Pruning.MetricBefore);
    }

    [Fact]
    public void A_budget_in_the_wrong_metric_for_the_objective_is_refused()
    {
        var parent = Train("binary:logistic", rounds: 5, Csv("train.csv", "binary:logistic", 300, seed: 9));
        var act = () => ModelOptimizer.Optimize(parent, Csv("holdout.csv", "binary:logistic", 100, seed: 10), new PruningBudget("rmse", 0.1), Path.Combine(_root, "pruned"));
        act.Should().Throw<ArgumentException>().WithMessage("*binary:logistic model is budgeted in auc*");
    }

    [Fact]
    public void An_output_directory_that_is_not_empty_is_refused_before_pruning()
    {
        var parent = Train("binary:logistic", rounds: 5, Csv("train.csv", "binary:logistic", 300, seed: 13));
        var output = Directory.CreateDirectory(Path.Combine(_root, "taken")).FullName;
        File.WriteAllText(Path.Combine(output, "keep.txt"), "mine");
        var act = () => ModelOptimizer.Optimize(parent, Csv("holdout.csv", "binary:logistic", 100, seed: 14), new PruningBudget("auc", 0.01), output);
        act.Should().Throw<ArgumentException>().WithMessage("*is not empty*");
        File.ReadAllText(Path.Combine(output, "keep.txt")).Should().Be("mine");
    }

    [Theory]
    [InlineData("accuracy", 0.1)]
    [InlineData("auc", -0.1)]
    [InlineData("auc", double.NaN)]
    public void A_budget_must_be_a_known_metric_and_a_finite_non_negative_number(string metric, double maxLoss)
    {
        var act = () => new PruningBudget(metric, maxLoss);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void The_pruned_model_json_is_what_xgboost_itself_wrote()
    {
        var parent = Train("multi:softprob", rounds: 15, Csv("train.csv", "multi:softprob", 900, seed: 11));
        var holdout = Csv("holdout.csv", "multi:softprob", 400, seed: 12);
        var output = Path.Combine(_root, "pruned");
        ModelOptimizer.Optimize(parent, holdout, new PruningBudget("mlogloss", 0.02), output);

        var artifact = ModelArtifact.Load(output);
        using var xgboost = artifact.LoadXGBoost();
        var json = JsonDocument.Parse(xgboost.SaveJson());
        json.RootElement.GetProperty("learner").GetProperty("gradient_booster").GetProperty("model").GetProperty("trees").GetArrayLength()
            .Should().Be(artifact.Compiled.TreeCount, "model.ubj and model.json hold the same pruned trees");
    }
}
