using System.Globalization;
using System.Text;
using Cascade.Ml.Artifacts;

namespace Cascade.Cli.Tests.Optimize;

/// <summary><c>cascade optimize</c> as a user runs it: train, prune within a budget, predict with the pruned artifact.</summary>
public sealed class OptimizeCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-cli-optimize-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Csv(string name, int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("a,b,c,label\n");
        for (var i = 0; i < rows; i++)
        {
            var (a, b, c) = (random.NextDouble(), random.NextDouble(), random.NextDouble());
            var label = a + 0.5 * b * c + (random.NextDouble() - 0.5) * 0.4 > 0.75 ? 1 : 0;
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"{a},{b},{c},{label}\n"));
        }
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Fact]
    public async Task Optimize_prints_size_latency_and_metric_before_and_after_and_writes_an_artifact_predict_reads()
    {
        var train = Csv("train.csv", 1500, seed: 1);
        var holdout = Csv("holdout.csv", 700, seed: 2);
        var model = Path.Combine(_root, "model");
        var pruned = Path.Combine(_root, "pruned");
        var trained = await CascadeProcess.RunAsync("train", "--csv", train, "--label", "label", "--out", model, "--rounds", "60", "--param", "objective=binary:logistic");
        trained.ExitCode.Should().Be(0, trained.ToString());

        var optimized = await CascadeProcess.RunAsync("optimize", "--model", model, "--holdout", holdout, "--max-auc-loss", "0.001", "--out", pruned);

        optimized.ExitCode.Should().Be(0, optimized.ToString());
        var lines = optimized.Output.Split('\n', StringSplitOptions.TrimEntries);
        foreach (var row in new[] { "trees", "nodes", "model.json bytes", "quantised bytes", "single-row p50 µs", "holdout auc" })
        {
            lines.Should().Contain(l => l.StartsWith(row + " ", StringComparison.Ordinal), $"the table has a '{row}' row: {optimized}");
        }
        var trees = lines.Single(l => l.StartsWith("trees ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int.Parse(trees[1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture).Should().Be(60);
        ModelArtifact.Load(pruned).Compiled.TreeCount.Should().Be(int.Parse(trees[2], NumberStyles.AllowThousands, CultureInfo.InvariantCulture));

        var predicted = await CascadeProcess.RunAsync("predict", "--model", pruned, "--csv", holdout, "--out", Path.Combine(_root, "predictions.csv"));
        predicted.ExitCode.Should().Be(0, predicted.ToString());
        predicted.Output.Should().Contain("700 predictions");
    }

    [Fact]
    public async Task A_budget_for_another_objective_or_none_is_a_one_line_error()
    {
        var train = Csv("train.csv", 300, seed: 3);
        var model = Path.Combine(_root, "model");
        (await CascadeProcess.RunAsync("train", "--csv", train, "--label", "label", "--out", model, "--rounds", "5", "--param", "objective=binary:logistic")).ExitCode.Should().Be(0);

        var wrong = await CascadeProcess.RunAsync("optimize", "--model", model, "--holdout", train, "--max-rmse-gain", "0.1", "--out", Path.Combine(_root, "a"));
        wrong.ExitCode.Should().Be(1, wrong.ToString());
        wrong.Error.Should().Contain("budgeted in auc");

        var none = await CascadeProcess.RunAsync("optimize", "--model", model, "--holdout", train, "--out", Path.Combine(_root, "b"));
        none.ExitCode.Should().Be(1, none.ToString());
        none.Error.Should().Contain("Give one budget");
    }
}
