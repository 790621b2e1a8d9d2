using Spectre.Console;

namespace Cascade.Cli.Ingest;

/// <summary>Progress on a terminal: a Spectre.Console bar on standard error, with reports printed above it.</summary>
internal sealed class LiveIngestConsole(TextWriter output, IAnsiConsole console) : IngestConsole(output)
{
    // Written through the console that draws the bar, so the line lands above it instead of through it.
    public override void Diagnostic(string line) => console.WriteLine(line);

    public override async Task RunAsync(string description, long total, string unit, Func<Action<long, long>, Task> work)
    {
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1));
                await work((position, rows) =>
                {
                    task.Value = position;
                    task.Description = Markup.Escape($"{description} {rows:N0} rows");
                });
                task.Value = task.MaxValue;
            });
    }
}
