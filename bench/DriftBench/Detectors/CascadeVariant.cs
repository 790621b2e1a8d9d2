using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Options;

namespace Cascade.Bench.Drift.Detectors;

/// <summary>
/// One configuration of Cascade's monitor under test. A calibrated variant is one more of these: other
/// <see cref="MonitoringOptions"/> (or <c>--variant NAME=options.json</c> on the command line).
/// </summary>
/// <param name="Name">As printed: "cascade".</param>
/// <param name="Description">One sentence for the report.</param>
/// <param name="Options">The monitor's options, made fresh for each run.</param>
/// <param name="Labels">Whether labels are sent (at once, after each prediction), so the loss detectors run too.</param>
/// <param name="MinSeverity">The lowest alert severity that counts as a detection. WARNING is the lowest that means
/// "corroborated" (INFO is one statistic alone, for consoles); Training retrains on CRITICAL by default.</param>
public sealed record CascadeVariant(string Name, string Description, Func<MonitoringOptions> Options, bool Labels, AlertSeverity MinSeverity);
