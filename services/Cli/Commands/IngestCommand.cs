using System.CommandLine;
using Cascade.Cli.Ingest;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade ingest --dataset NAME --file FILE.csv|FILE.parquet</c>: loads a file into a registered dataset of a running host.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        // Options take their values as text and are checked by IngestSettings, so that every usage error exits with
        // 2 (System.CommandLine's own parse errors exit with 1, which here means "some rows were invalid").
        var dataset = new Option<string>("--dataset") { Description = "The registered dataset the rows belong to.", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string>("--file") { Description = "A CSV file with a header row, or a Parquet file (by extension).", Arity = ArgumentArity.ZeroOrOne };
        var labels = new Option<bool>("--labels") { Description = "Ingest the dataset's label column too (without it, a label column in the file is ignored).", Arity = ArgumentArity.Zero };
        var idColumn = new Option<string>("--id-column") { Description = "Column holding each row's record id; default: a hash of the dataset and the row's content.", Arity = ArgumentArity.ZeroOrOne };
        var batchSize = new Option<string>("--batch-size") { Description = $"Records per batch (1–{IngestSettings.MaxBatchSize:N0}).", DefaultValueFactory = _ => IngestSettings.DefaultBatchSize.ToString(), Arity = ArgumentArity.ZeroOrOne };
        var errors = new Option<string>("--errors") { Description = "Write every invalid-row report to this file.", Arity = ArgumentArity.ZeroOrOne };
        var grpc = new Option<string>("--grpc", "--address") { Description = "gRPC address of the host.", DefaultValueFactory = _ => IngestSettings.DefaultHost, Arity = ArgumentArity.ZeroOrOne };

        // Catches stray arguments (and unknown options) so they too are a usage error with exit code 2.
        var unexpected = new Argument<string[]>("unexpected") { Arity = ArgumentArity.ZeroOrMore, Hidden = true };
        var command = new Command("ingest", "Stream a CSV or Parquet file into a registered dataset of a running host (exit 0: all rows in, 1: some rows invalid, 2: usage error or host unreachable). See docs/ingestion.md.")
        {
            dataset, file, labels, idColumn, batchSize, errors, grpc, unexpected,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var console = IngestConsole.For(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            IngestSettings settings;
            try
            {
                foreach (var option in new Option[] { dataset, file, idColumn, batchSize, errors, grpc })
                {
                    if (parse.GetResult(option) is { Implicit: false, Tokens.Count: 0 }) throw new IngestUsageException($"{option.Name} needs a value; see cascade ingest --help.");
                }
                if (parse.GetValue(unexpected) is { Length: > 0 } stray)
                {
                    throw new IngestUsageException($"unexpected argument(s) {string.Join(" ", stray)}; see cascade ingest --help.");
                }
                settings = IngestSettings.From(parse.GetValue(dataset), parse.GetValue(file), parse.GetValue(labels), parse.GetValue(idColumn),
                    parse.GetValue(batchSize), parse.GetValue(errors), parse.GetValue(grpc)) with { ApiKey = parse.GetValue(CliChannels.ApiKey) ?? Environment.GetEnvironmentVariable("CASCADE_API_KEY") };
            }
            catch (IngestUsageException ex)
            {
                console.Diagnostic($"error: {ex.Message}");
                return Task.FromResult(IngestExitCodes.Usage);
            }
            return new IngestRun(settings, console).RunAsync(cancellationToken);
        });
        return command;
    }
}
