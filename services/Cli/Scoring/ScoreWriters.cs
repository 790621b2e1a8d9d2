namespace Cascade.Cli.Scoring;

/// <summary>Opens the writer the output's extension names: <c>.csv</c> or <c>.parquet</c>.</summary>
internal static class ScoreWriters
{
    /// <summary>The output columns: <c>prediction</c> for one output, <c>class_k</c> for each class of a multiclass model.</summary>
    public static IReadOnlyList<string> ColumnNames(int outputs) =>
        outputs == 1 ? ["prediction"] : Enumerable.Range(0, outputs).Select(c => $"class_{c}").ToArray();

    /// <exception cref="ScoringException">The extension is neither .csv nor .parquet.</exception>
    public static async Task<IScoreWriter> OpenAsync(string path, int outputs, CancellationToken cancellationToken) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => new CsvScoreWriter(path, ColumnNames(outputs)),
            ".parquet" => await ParquetScoreWriter.CreateAsync(path, ColumnNames(outputs), cancellationToken),
            var other => throw new ScoringException($"{path}: cannot tell the output format from the extension '{other}': name the file *.csv or *.parquet."),
        };
}
