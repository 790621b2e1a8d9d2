using Spectre.Console;

namespace Cascade.Cli.Ingest;

/// <summary>
/// Where <c>cascade ingest</c> writes: the summary to standard output; warnings, invalid-row reports, errors and
/// progress to standard error, so <c>cascade ingest … &gt; summary.txt</c> keeps only the result. On a terminal the
/// progress is a live bar (<see cref="LiveIngestConsole"/>), elsewhere a line every few seconds (<see cref="PlainIngestConsole"/>).
/// </summary>
internal abstract class IngestConsole(TextWriter output)
{
    /// <summary>A console for the process's own streams: a live bar when standard error is an interactive terminal.</summary>
    public static IngestConsole For(TextWriter output, TextWriter error)
    {
        if (ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            if (console.Profile.Capabilities.Interactive) return new LiveIngestConsole(output, console);
        }
        return new PlainIngestConsole(output, error, TimeSpan.FromSeconds(5));
    }

    /// <summary>A result line (standard output).</summary>
    public void Result(string line) => output.WriteLine(line);

    /// <summary>A line on standard error that does not disturb the progress display.</summary>
    public abstract void Diagnostic(string line);

    /// <summary>
    /// Runs <paramref name="work"/> while showing its progress; <paramref name="work"/> reports (position in
    /// <paramref name="unit"/> out of <paramref name="total"/>, rows read) as it goes.
    /// </summary>
    public abstract Task RunAsync(string description, long total, string unit, Func<Action<long, long>, Task> work);
}
