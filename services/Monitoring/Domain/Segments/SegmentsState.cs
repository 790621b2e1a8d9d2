namespace Cascade.Monitoring.Domain.Segments;

/// <summary>A <see cref="SegmentTracker"/> in a checkpoint: each segment that has seen predictions, and the whole traffic's errors.</summary>
public sealed record SegmentsState(IReadOnlyList<SegmentWindowState> Segments, SegmentErrorsState Overall);
