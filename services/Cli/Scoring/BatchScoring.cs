using Cascade.Cli.Ingest;
using Cascade.Ml.Artifacts;

namespace Cascade.Cli.Scoring;

/// <summary>
/// <c>cascade score</c>: every row of a CSV or Parquet file scored with a model artifact, streamed in chunks of
/// <see cref="ChunkRows"/> rows (a CSV read row by row, a Parquet file one row group at a time), so memory stays
/// bounded however large the file. The outputs go to a CSV or Parquet file in input order; the output appears only
/// once every row is scored.
/// </summary>
internal static class BatchScoring
{
    /// <summary>Rows scored per call of the model: large enough for the evaluator's blocked batch path, small enough to bound memory.</summary>
    public const int ChunkRows = 8192;

    /// <summary>Scores <paramref name="input"/> into <paramref name="output"/>; returns the rows scored.</summary>
    /// <exception cref="ScoringException">The input or output cannot be used as given (message says what to fix).</exception>
    /// <exception cref="IngestUsageException">The input is missing, not CSV or Parquet, or has an unusable header or column type.</exception>
    public static async Task<long> RunAsync(ModelArtifact artifact, string input, string output, IProgress<ScoringProgress>? progress, CancellationToken cancellationToken, int chunkRows = ChunkRows)
    {
        if (Path.GetFullPath(input) == Path.GetFullPath(output))
        {
            throw new ScoringException($"--out {output} is the input file: write the scores elsewhere.");
        }
        var scorer = artifact.Scorer;
        await using var reader = await TableReaders.OpenAsync(input, cancellationToken);
        var columns = FeatureColumns.Map(input, reader.Columns, artifact.Manifest);
        await using var writer = await ScoreWriters.OpenAsync(output, scorer.OutputCount, cancellationToken);
        var features = new float[chunkRows * scorer.FeatureCount];
        var scores = new float[chunkRows * scorer.OutputCount];
        long total = 0;
        var inChunk = 0;
        await foreach (var row in reader.ReadAsync(columns.Wanted, cancellationToken))
        {
            columns.Encode(row, features.AsSpan(inChunk * scorer.FeatureCount, scorer.FeatureCount));
            if (++inChunk == chunkRows)
            {
                total += await ScoreChunkAsync(inChunk);
                inChunk = 0;
                progress?.Report(new ScoringProgress(total, reader.Position, reader.Length, reader.ProgressUnit));
            }
        }
        total += await ScoreChunkAsync(inChunk);
        await writer.CompleteAsync(cancellationToken);
        progress?.Report(new ScoringProgress(total, reader.Length, reader.Length, reader.ProgressUnit));
        return total;

        async Task<int> ScoreChunkAsync(int rows)
        {
            if (rows == 0) return 0;
            scorer.PredictBatch(features.AsSpan(0, rows * scorer.FeatureCount), rows, scores.AsSpan(0, rows * scorer.OutputCount));
            await writer.WriteAsync(scores.AsMemory(0, rows * scorer.OutputCount), rows, cancellationToken);
            return rows;
        }
    }
}
