using Cascade.Monitoring.Domain.Alerts;

namespace Cascade.Monitoring.Domain.Segments;

/// <summary>How far one segment's window moved from its baseline.</summary>
/// <param name="Segment">The segment's name.</param>
/// <param name="Severity">None, or the severity its strongest test reached.</param>
/// <param name="Evidence">The strongest test: its p-value against the segment's share of the false-alarm budget.</param>
/// <param name="Drifting">The features (and the prediction) whose test fired, strongest first.</param>
/// <param name="Window">The segment's window evaluated.</param>
public sealed record SegmentVerdict(string Segment, AlertSeverity Severity, StatisticFinding Evidence, IReadOnlyList<FeatureDrift> Drifting, WindowBounds Window);
