using System.Globalization;
using System.Text;
using Cascade.Ml.Training;
using Xunit.Abstractions;

namespace Cascade.Cli.Tests.MlNet;

/// <summary>
/// <c>cascade train --trainer mlnet-fasttree</c>, the real command: the same objective and parameters as XGBoost, an
/// artifact <c>cascade predict</c> reads as any other (its CSV: a header, then the score in the first column), and a
/// model as good as XGBoost's on rows neither saw; names without an ML.NET counterpart are refused.
/// </summary>
public sealed class MlNetTrainCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-cli-mlnet-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FastTree_trained_through_the_cli_predicts_with_an_auc_within_003_of_xgboosts()
    {
        var train = WriteCsv("train.csv", rows: 4000, seed: 1701);
        var test = WriteCsv("test.csv", rows: 1500, seed: 1702);

        var xgboost = await TrainAndPredictAuc(Trainers.XGBoost, train, test);
        var fastTree = await TrainAndPredictAuc(Trainers.MlNetFastTree, train, test);

        output.WriteLine($"AUC on 1,500 unseen rows: xgboost {xgboost:F4}, mlnet-fasttree {fastTree:F4}");
        xgboost.Should().BeGreaterThan(0.8, "the data has signal enough that a poor model would show");
        fastTree.Should().BeApproximately(xgboost, 0.03);
    }

    [Fact]
    public async Task Parameters_without_an_mlnet_counterpart_and_unknown_trainers_are_refused_saying_what_to_use()
    {
        var train = WriteCsv("small.csv", rows: 300, seed: 1703);

        var gamma = await Train(Trainers.MlNetFastTree, train, "model-gamma", "--param", "gamma=1");
        gamma.ExitCode.Should().NotBe(0);
        gamma.Error.Should().Contain("Parameter 'gamma' has no counterpart in the mlnet-fasttree trainer").And.Contain("max_depth");

        var stopping = await Train(Trainers.MlNetFastTree, train, "model-stop", "--early-stopping", "5", "--valid", train);
        stopping.ExitCode.Should().NotBe(0);
        stopping.Error.Should().Contain("Early stopping is an XGBoost option");

        var unknown = await CascadeProcess.RunAsync("train", "--csv", train, "--label", "label", "--out", Path.Combine(_root, "model-x"), "--trainer", "catboost");
        unknown.ExitCode.Should().NotBe(0);
        (unknown.Output + unknown.Error).Should().Contain("catboost").And.Contain("mlnet-fasttree");
    }

    private async Task<double> TrainAndPredictAuc(string trainer, string train, string test)
    {
        var trained = await Train(trainer, train, "model-" + trainer);
        trained.ExitCode.Should().Be(0, trained.ToString());
        var predictions = Path.Combine(_root, trainer + "-predictions.csv");
        var predicted = await CascadeProcess.RunAsync("predict", "--model", Path.Combine(_root, "model-" + trainer), "--csv", test, "--out", predictions);
        predicted.ExitCode.Should().Be(0, predicted.ToString());

        var lines = File.ReadAllLines(predictions);
        lines[0].Should().Be("prediction", "the CSV keeps its header line");
        var scores = lines.Skip(1).Select(l => double.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        var labels = File.ReadLines(test).Skip(1).Select(l => l[(l.LastIndexOf(',') + 1)..] == "1").ToArray();
        scores.Should().HaveCount(labels.Length);
        return Auc(scores, labels);
    }

    private Task<CascadeProcess.Result> Train(string trainer, string csv, string output, params string[] extra) =>
        CascadeProcess.RunAsync(["train", "--csv", csv, "--label", "label", "--out", Path.Combine(_root, output), "--trainer", trainer,
            "--rounds", "80", "--param", "objective=binary:logistic", "--param", "max_depth=4", "--param", "eta=0.1", .. extra]);

    /// <summary>
    /// Rows no other test uses: eight features, a label from a noisy score with an interaction, a step and a ratio
    /// (trees need several splits per feature), and about 2% of cells empty.
    /// </summary>
    private string WriteCsv(string name, int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("f0,f1,f2,f3,f4,f5,f6,f7,label\n");
        for (var r = 0; r < rows; r++)
        {
            var x = Enumerable.Range(0, 8).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            var score = 1.2 * x[0] - 0.9 * x[1] * x[2] + (x[3] > 0.3 ? 0.8 : -0.4) + 0.6 * Math.Sin(3 * x[4]) + 0.3 * x[5] / (1.2 + x[6]);
            var label = score + 0.7 * (random.NextDouble() + random.NextDouble() - 1) > 0.2 ? 1 : 0;
            var cells = x.Select(v => random.NextDouble() < 0.02 ? "" : v.ToString("R", CultureInfo.InvariantCulture));
            csv.Append(string.Join(',', cells)).Append(',').Append(label).Append('\n');
        }
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    /// <summary>The probability that a random positive scores above a random negative (ties count half).</summary>
    private static double Auc(double[] scores, bool[] labels)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++) if (labels[order[k]]) rankSum += rank;
            i = j + 1;
        }
        double positives = labels.Count(l => l);
        var negatives = labels.Length - positives;
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
