namespace Cascade.Cli.Ingest;

/// <summary>Progress for logs (CI, redirected output): a line every <paramref name="interval"/>, no control codes.</summary>
internal sealed class PlainIngestConsole(TextWriter output, TextWriter error, TimeSpan interval) : IngestConsole(output)
{
    public override void Diagnostic(string line) => error.WriteLine(line);

    public override async Task RunAsync(string description, long total, string unit, Func<Action<long, long>, Task> work)
    {
        error.WriteLine($"ingesting {description}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var next = interval;
        await work((position, rows) =>
        {
            if (clock.Elapsed < next) return;
            next = clock.Elapsed + interval;
            var share = total > 0 ? $" ({100.0 * position / total:F0} % of {total:N0} {unit})" : string.Empty;
            error.WriteLine($"  {rows:N0} rows read{share}");
        });
    }
}
