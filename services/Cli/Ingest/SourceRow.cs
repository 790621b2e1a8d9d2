namespace Cascade.Cli.Ingest;

/// <summary>
/// One data row of a file, as its reader found it: where it is (<see cref="Line"/>: the physical line it starts on
/// in a CSV file, the 1-based row number in a Parquet file), its cells by header position (CSV: strings; Parquet:
/// the column's own type, null when null), or why the reader could not split it into cells.
/// </summary>
internal sealed record SourceRow(long Line, object?[] Cells, string? Problem = null);
