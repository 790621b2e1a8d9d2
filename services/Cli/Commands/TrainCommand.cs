using System.CommandLine;
using Cascade.Ml.Offline;
using Cascade.Ml.Training;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade train</c>: trains a tree model (XGBoost, or ML.NET FastTree / LightGbm) from a CSV and writes a verified artifact.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var csv = new Option<FileInfo>("--csv") { Description = "Training data: CSV with a header; every column but the label is a numeric feature; empty = missing.", Required = true };
        var label = new Option<string>("--label") { Description = "Name of the label column.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write the artifact to (new or empty).", Required = true };
        var rounds = new Option<int>("--rounds") { Description = "Boosting rounds.", DefaultValueFactory = _ => 100 };
        var parameters = new Option<string[]>("--param") { Description = "Parameter key=value (repeatable), XGBoost's names for every trainer, e.g. objective=binary:logistic, eta=0.1, max_depth=6.", AllowMultipleArgumentsPerToken = false };
        var valid = new Option<FileInfo?>("--valid") { Description = "Validation CSV (same columns)." };
        var earlyStopping = new Option<int?>("--early-stopping") { Description = "Stop after N rounds without improvement on --valid; keep the best round." };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var trainer = new Option<string>("--trainer") { Description = $"Training engine: {string.Join(", ", Trainers.All)}. Every one writes the same kind of artifact; --param objective=… means the same task for each.", DefaultValueFactory = _ => Trainers.XGBoost };
        trainer.AcceptOnlyFromAmong([.. Trainers.All]);
        var command = new Command("train", "Train a tree model (XGBoost, or ML.NET with --trainer) from a CSV file and write a model artifact.") { csv, label, output, rounds, parameters, valid, earlyStopping, device, trainer };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var options = new TrainingOptions
            {
                Parameters = ParseParameters(parse.GetValue(parameters) ?? []),
                Rounds = parse.GetValue(rounds),
                EarlyStoppingRounds = parse.GetValue(earlyStopping),
                Device = parse.GetValue(device)!,
                Trainer = parse.GetValue(trainer)!,
            };
            var (manifest, result) = CsvTraining.Run(parse.GetValue(csv)!.FullName, parse.GetValue(label)!, parse.GetValue(output)!.FullName, options, parse.GetValue(valid)?.FullName);
            var table = new Table().AddColumn("set").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
            foreach (var (set, metrics) in manifest.Metrics)
            {
                foreach (var (name, value) in metrics)
                {
                    table.AddRow(set, name, value.ToString("F6"));
                }
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"trained {manifest.Objective} on {manifest.TrainingRows} rows × {manifest.FeatureNames.Count} features, {manifest.Rounds} rounds in {result.Duration.TotalSeconds:F2} s → {parse.GetValue(output)!.FullName}");
        }));
        return command;
    }

    private static Dictionary<string, string> ParseParameters(IEnumerable<string> pairs)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                throw new ArgumentException($"--param '{pair}' is not key=value.");
            }
            parameters[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }
        return parameters;
    }
}
