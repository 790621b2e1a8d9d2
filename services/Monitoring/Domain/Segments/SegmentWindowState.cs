using Cascade.Monitoring.Domain.Windows;

namespace Cascade.Monitoring.Domain.Segments;

/// <summary>One segment in a checkpoint: its baseline and window, the severity of its latest drift verdict, and its errors.</summary>
public sealed record SegmentWindowState(string Segment, IReadOnlyList<WindowRecordState> Baseline, IReadOnlyList<WindowRecordState> Window, int SinceEvaluation,
    Alerts.AlertSeverity Drift = Alerts.AlertSeverity.None, SegmentErrorsState? Errors = null);
