namespace Cascade.Monitoring.Domain.History;

/// <summary>
/// What a monitor evaluated since its history was last taken: the windows, oldest first, and the series definitions
/// (with thresholds) of every version they belong to.
/// </summary>
/// <param name="Dropped">Evaluations dropped because more were waiting than the buffer holds (none unless checkpoints stalled).</param>
public sealed record DriftHistoryBatch(
    string Model,
    IReadOnlyList<WindowEvaluation> Windows,
    IReadOnlyDictionary<int, IReadOnlyList<DriftSeriesDefinition>> Series,
    long Dropped)
{
    /// <summary>Whether there is nothing to store.</summary>
    public bool IsEmpty => Windows.Count == 0;
}
