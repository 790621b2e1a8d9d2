namespace Cascade.Monitoring.Domain.Segments;

/// <summary>
/// Per-segment positive rate and error rate against the whole traffic's: what a model does to each group of the
/// segmenting column (a protected attribute, a region) and whether one group fares worse.
/// </summary>
/// <param name="Column">The segmenting column.</param>
/// <param name="Segments">Every segment that has predictions in the drift window or labelled ones, in segment order.</param>
/// <param name="Overall">The same figures over all predictions.</param>
/// <param name="Unsegmented">Predictions in the drift window whose segment column the log withheld (in no segment).</param>
public sealed record FairnessSummary(string Column, IReadOnlyList<SegmentSummary> Segments, SegmentSummary Overall, int Unsegmented);
