using Cascade.Ml.Evaluation;
using System.CommandLine;
using Cascade.Ml.Offline;
using Cascade.Ml.Signing;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade predict</c>: one prediction per CSV row, with the compiled evaluator or XGBoost itself. The artifact's
/// hashes are verified as Serving verifies them; its signature is reported (signed by which key, unsigned, invalid) but
/// not required, since an artifact from <c>cascade train</c> is unsigned.
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Model artifact directory (from cascade train).", Required = true };
        var csv = new Option<FileInfo>("--csv") { Description = "Rows to predict: CSV with the model's feature columns (a label column is ignored).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the predictions (CSV).", Required = true };
        var engine = new Option<string>("--engine")
        {
            Description = "Cascade's evaluators, all bit-identical to XGBoost: jit (default, what serving runs; 'compiled' is the same), node-table or quantised; or xgboost (XGBoost's own predictor).",
            DefaultValueFactory = _ => "jit",
        };
        engine.AcceptOnlyFromAmong("jit", "compiled", "node-table", "quantised", "xgboost");
        var command = new Command("predict", "Predict every row of a CSV file with a model artifact.") { model, csv, output, engine };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var name = parse.GetValue(engine)!;
            var chosen = name == "xgboost" ? PredictionEngine.XGBoost : PredictionEngine.Compiled;
            var trees = name switch { "node-table" => TreeEngine.NodeTable, "quantised" => TreeEngine.Quantised, _ => TreeEngine.Jit };
            var directory = parse.GetValue(model)!.FullName;
            var rows = CsvPrediction.Run(directory, parse.GetValue(csv)!.FullName, parse.GetValue(output)!.FullName, chosen, trees);
            AnsiConsole.MarkupLineInterpolated($"{rows} predictions ({(name == "compiled" ? "jit" : name)} engine) → {parse.GetValue(output)!.FullName}");
            // A plain line (no markup, no wrapping at the console's width): scripts read it too.
            Console.Out.WriteLine($"signature: {ManifestSigning.Check(directory, trusted: null).Describe()}");
        }));
        return command;
    }
}
