namespace Cascade.Cli.Scoring;

/// <summary>How far a scoring run has got: rows scored, and the input read so far out of its whole in <see cref="Unit"/> (bytes of a CSV file, rows of a Parquet file).</summary>
internal readonly record struct ScoringProgress(long Rows, long Position, long Length, string Unit);
