namespace Cascade.Cli.Ingest;

/// <summary>Opens a file with the reader its extension names.</summary>
internal static class TableReaders
{
    /// <exception cref="IngestUsageException">The file is missing, has another extension, or has no usable header.</exception>
    public static async Task<ITableReader> OpenAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new IngestUsageException($"{path}: file not found.");
        }
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => await CsvTableReader.OpenAsync(path, cancellationToken),
            ".parquet" => await ParquetTableReader.OpenAsync(path, cancellationToken),
            var other => throw new IngestUsageException($"{path}: cannot tell the format from the extension '{other}': name the file *.csv or *.parquet."),
        };
    }

    /// <summary>Checks a header's names: none empty, none twice.</summary>
    public static IReadOnlyList<string> CheckHeader(string path, IReadOnlyList<string> names)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i].Length == 0)
            {
                throw new IngestUsageException($"{path}: column {i + 1} of the header has no name.");
            }
        }
        var twice = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (twice.Length > 0)
        {
            throw new IngestUsageException($"{path}: the header names {string.Join(", ", twice)} more than once.");
        }
        return names;
    }
}
