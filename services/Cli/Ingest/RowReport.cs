namespace Cascade.Cli.Ingest;

/// <summary>Why one row was not ingested: its line (CSV) or row number (Parquet), the column at fault (null when the row itself is malformed), the reason.</summary>
internal sealed record RowReport(long Line, string? Column, string Reason)
{
    /// <summary><c>FILE:LINE: column COL: reason</c>, the form compilers use, so editors and CI logs link it to the line.</summary>
    public string Format(string file) => Column is null ? $"{file}:{Line}: {Reason}" : $"{file}:{Line}: column {Column}: {Reason}";
}
