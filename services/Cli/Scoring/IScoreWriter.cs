namespace Cascade.Cli.Scoring;

/// <summary>
/// Where scores go, chunk by chunk, in input order: one column per model output (<c>prediction</c>, or
/// <c>class_0</c> … for a multiclass model), as <c>cascade predict</c> names them. Written to a temporary file beside
/// the output and moved into place only by <see cref="CompleteAsync"/>, so a failed run never leaves a partial output.
/// </summary>
internal interface IScoreWriter : IAsyncDisposable
{
    /// <summary>Appends <paramref name="rows"/> rows of outputs (row-major, <c>outputs</c> per row).</summary>
    Task WriteAsync(ReadOnlyMemory<float> scores, int rows, CancellationToken cancellationToken);

    /// <summary>Finishes the file and moves it to the output path.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
