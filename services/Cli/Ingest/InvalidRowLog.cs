namespace Cascade.Cli.Ingest;

/// <summary>
/// Reports invalid rows: the first <see cref="ShownOnConsole"/> on the console (a file of bad rows must not
/// bury the summary), every one in the <c>--errors</c> file when one is given.
/// </summary>
internal sealed class InvalidRowLog(string file, IngestConsole console, TextWriter? errorsFile) : IAsyncDisposable
{
    public const int ShownOnConsole = 100;

    private long _count;

    public void Report(RowReport report)
    {
        var line = report.Format(file);
        if (++_count <= ShownOnConsole) console.Diagnostic(line);
        errorsFile?.WriteLine(line);
    }

    /// <summary>A line saying how many reports the console did not show, or null.</summary>
    public string? Hidden(string? errorsPath) => _count <= ShownOnConsole ? null
        : errorsPath is null ? $"… and {_count - ShownOnConsole:N0} more invalid rows (--errors FILE lists them all)"
        : $"… and {_count - ShownOnConsole:N0} more invalid rows (all {_count:N0} are in {errorsPath})";

    public async ValueTask DisposeAsync()
    {
        if (errorsFile is not null) await errorsFile.DisposeAsync();
    }
}
