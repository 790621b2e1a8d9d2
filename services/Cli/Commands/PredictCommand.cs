using System.CommandLine;
using Cascade.Ml.Offline;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade predict</c>: one prediction per CSV row, with the compiled evaluator or XGBoost itself.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Model artifact directory (from cascade train).", Required = true };
        var csv = new Option<FileInfo>("--csv") { Description = "Rows to predict: CSV with the model's feature columns (a label column is ignored).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the predictions (CSV).", Required = true };
        var engine = new Option<string>("--engine") { Description = "compiled (default, what serving runs) or xgboost.", DefaultValueFactory = _ => "compiled" };
        engine.AcceptOnlyFromAmong("compiled", "xgboost");
        var command = new Command("predict", "Predict every row of a CSV file with a model artifact.") { model, csv, output, engine };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var chosen = parse.GetValue(engine) == "xgboost" ? PredictionEngine.XGBoost : PredictionEngine.Compiled;
            var rows = CsvPrediction.Run(parse.GetValue(model)!.FullName, parse.GetValue(csv)!.FullName, parse.GetValue(output)!.FullName, chosen);
            AnsiConsole.MarkupLineInterpolated($"{rows} predictions ({chosen.ToString().ToLowerInvariant()} engine) → {parse.GetValue(output)!.FullName}");
        }));
        return command;
    }
}
