namespace Cascade.Cli.Ingest;

/// <summary>A file read row by row with bounded memory (CSV: one row; Parquet: one row group), in file order.</summary>
internal interface ITableReader : IAsyncDisposable
{
    /// <summary>The header: column names in file order.</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>What <see cref="Position"/> and <see cref="Length"/> count: <c>bytes</c> (CSV) or <c>rows</c> (Parquet).</summary>
    string ProgressUnit { get; }

    /// <summary>How far reading has got, in <see cref="ProgressUnit"/>.</summary>
    long Position { get; }

    /// <summary>The whole file, in <see cref="ProgressUnit"/>.</summary>
    long Length { get; }

    /// <summary>The data rows; only the cells at <paramref name="columns"/> need be filled (the others may be null).</summary>
    IAsyncEnumerable<SourceRow> ReadAsync(IReadOnlyCollection<int> columns, CancellationToken cancellationToken);
}
