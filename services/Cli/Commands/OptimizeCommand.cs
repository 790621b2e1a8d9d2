using System.CommandLine;
using System.Globalization;
using Cascade.Ml.Optimization;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade optimize</c>: prunes an artifact's trees within a budget measured on a holdout and writes the pruned model
/// as a new artifact with its lineage, then prints size, latency and metric before and after.
/// </summary>
internal static class OptimizeCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Model artifact directory to prune (an XGBoost model).", Required = true };
        var holdout = new Option<FileInfo>("--holdout") { Description = "Labelled CSV rows the model was not trained on: the budget is measured on them.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for the pruned artifact (must be new or empty).", Required = true };
        var aucLoss = new Option<double?>("--max-auc-loss") { Description = "binary:logistic: the most holdout AUC may drop (e.g. 0.001)." };
        var rmseGain = new Option<double?>("--max-rmse-gain") { Description = "reg:squarederror: the most holdout RMSE may rise." };
        var loglossGain = new Option<double?>("--max-logloss-gain") { Description = "multi:softprob: the most holdout log loss may rise." };
        var command = new Command("optimize", "Prune a model (drop late rounds, merge near-equal sibling leaves) while its holdout metric stays within a budget.")
        {
            model, holdout, output, aucLoss, rmseGain, loglossGain,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var budgets = new[] { ("auc", parse.GetValue(aucLoss)), ("rmse", parse.GetValue(rmseGain)), ("mlogloss", parse.GetValue(loglossGain)) }
                .Where(b => b.Item2 is not null).Select(b => new PruningBudget(b.Item1, b.Item2!.Value)).ToList();
            if (budgets.Count != 1)
            {
                throw new ArgumentException("Give one budget: --max-auc-loss (binary:logistic), --max-rmse-gain (reg:squarederror) or --max-logloss-gain (multi:softprob).");
            }
            var outcome = ModelOptimizer.Optimize(parse.GetValue(model)!.FullName, parse.GetValue(holdout)!.FullName, budgets[0], parse.GetValue(output)!.FullName);
            Print(outcome, budgets[0]);
            Console.Out.WriteLine($"wrote {parse.GetValue(output)!.FullName} (unsigned; lineage in its manifest's \"optimization\")");
        }));
        return command;
    }

    /// <summary>A plain table (no markup, no wrapping at the console's width): scripts read it too.</summary>
    private static void Print(OptimizationOutcome outcome, PruningBudget budget)
    {
        var (before, after, pruning) = (outcome.Before, outcome.After, outcome.Pruning);
        string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        var rows = new (string Name, string Before, string After)[]
        {
            ("trees", F(before.Trees, "N0"), F(after.Trees, "N0")),
            ("nodes", F(before.Nodes, "N0"), F(after.Nodes, "N0")),
            ("model.json bytes", F(before.ModelJsonBytes, "N0"), F(after.ModelJsonBytes, "N0")),
            ("quantised bytes", F(before.QuantisedBytes, "N0"), F(after.QuantisedBytes, "N0")),
            ("single-row p50 µs", F(before.LatencyMicroseconds, "F2"), F(after.LatencyMicroseconds, "F2")),
            ($"holdout {budget.Metric}", F(pruning.MetricBefore, "F6"), F(pruning.MetricAfter, "F6")),
        };
        Console.Out.WriteLine($"{"",-20} {"before",14} {"after",14}");
        foreach (var (name, b, a) in rows)
        {
            Console.Out.WriteLine($"{name,-20} {b,14} {a,14}");
        }
        Console.Out.WriteLine($"{budget.Metric} loss {F(budget.Loss(pruning.MetricBefore, pruning.MetricAfter), "F6")} of a budget of {F(budget.MaxLoss, "G")}; {pruning.LeafPairsMerged} leaf pairs merged");
    }
}
