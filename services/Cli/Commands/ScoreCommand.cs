using System.CommandLine;
using Cascade.Cli.Ingest;
using Cascade.Cli.Scoring;
using Cascade.Ml.Artifacts;
using Grpc.Core;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade score</c>: batch scoring of a CSV or Parquet file with a model artifact directory or a registered model
/// (<c>NAME@alias</c>, fetched from a running host's Registry), streamed in chunks with a progress bar, the scores
/// written as CSV or Parquet in input order.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model artifact directory, or NAME@alias of a registered model on the host at --address (e.g. churn@champion).", Required = true };
        var input = new Option<FileInfo>("--input") { Description = "Rows to score: *.csv or *.parquet with the model's feature columns (a label column is ignored; raw categorical columns are encoded).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the scores: *.csv or *.parquet (one column per output, in input order).", Required = true };
        var address = HostCall.AddressOption();
        var command = new Command("score", "Score every row of a CSV or Parquet file with a model (batch scoring).") { model, input, output, address };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scratch = Directory.CreateTempSubdirectory("cascade-score-").FullName;
            try
            {
                var (artifact, described) = await LoadAsync(parse, parse.GetValue(model)!, parse.GetValue(address)!, scratch, cancellationToken);
                var inputPath = parse.GetValue(input)!.FullName;
                var outputPath = parse.GetValue(output)!.FullName;
                var started = System.Diagnostics.Stopwatch.StartNew();
                var rows = await ScoreAsync(artifact, inputPath, outputPath, cancellationToken);
                AnsiConsole.MarkupLineInterpolated($"{rows:N0} rows scored with {described} in {started.Elapsed.TotalSeconds:F1} s → {outputPath}");
                return 0;
            }
            catch (Exception ex) when (ex is ScoringException or IngestUsageException or ArtifactException or ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
            catch (RpcException ex)
            {
                var hint = ex.StatusCode == StatusCode.Unavailable ? " (is the host running? start it with ./cascade up, or give --address)" : string.Empty;
                Console.Error.WriteLine($"error: {ex.StatusCode}: {ex.Status.Detail}{hint}");
                return 1;
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        });
        return command;
    }

    private static async Task<(ModelArtifact Artifact, string Described)> LoadAsync(ParseResult parse, string model, string address, string scratch, CancellationToken cancellationToken)
    {
        if (RegisteredModels.IsReference(model, out var name, out var alias))
        {
            using var channel = CliChannels.ForAddress(address, parse);
            var (artifact, version) = await RegisteredModels.FetchAsync(channel, name, alias, Path.Combine(scratch, "artifact"), cancellationToken);
            return (artifact, $"{name} v{version} ({name}@{alias})");
        }
        if (!Directory.Exists(model))
        {
            throw new ScoringException($"--model {model}: no such artifact directory (a registered model is named NAME@alias, e.g. churn@champion).");
        }
        return (ModelArtifact.Load(model), Path.GetFileName(Path.GetFullPath(model).TrimEnd(Path.DirectorySeparatorChar)));
    }

    /// <summary>With a terminal, a live progress bar over the input; without (a script, a pipe), just the summary line.</summary>
    private static async Task<long> ScoreAsync(ModelArtifact artifact, string input, string output, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await BatchScoring.RunAsync(artifact, input, output, progress: null, cancellationToken);
        }
        return await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"scoring {Path.GetFileName(input)}", maxValue: 1);
                var progress = new Progress<ScoringProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.Length);
                    task.Value = p.Position;
                    task.Description = $"scoring {Path.GetFileName(input)}: {p.Rows:N0} rows";
                });
                var rows = await BatchScoring.RunAsync(artifact, input, output, progress, cancellationToken);
                task.Value = task.MaxValue;
                return rows;
            });
    }
}
