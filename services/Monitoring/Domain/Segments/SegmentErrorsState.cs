namespace Cascade.Monitoring.Domain.Segments;

/// <summary>A <see cref="SegmentErrors"/> in a checkpoint: the baseline's counts and the latest window's outcomes, oldest first (true: wrong).</summary>
public sealed record SegmentErrorsState(int BaselineLabelled, int BaselineWrong, bool[] Recent, int SinceEvaluation);
