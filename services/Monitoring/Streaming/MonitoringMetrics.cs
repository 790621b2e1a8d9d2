using System.Diagnostics.Metrics;
using Cascade.Contracts.Events.V1;

namespace Cascade.Monitoring.Streaming;

/// <summary>Alerts raised, by model, kind and severity, for <c>/metrics</c> (a rate an ops console can alert on).</summary>
internal static class MonitoringMetrics
{
    private static readonly Meter Meter = new("Cascade.Monitoring");

    private static readonly Counter<long> Alerts = Meter.CreateCounter<long>("cascade.monitoring.alerts", unit: "{alert}", description: "Drift and degradation alerts raised, by model, kind and severity.");

    public static void Raised(DriftDetected alert) => Alerts.Add(1,
        new KeyValuePair<string, object?>("model", alert.Model),
        new KeyValuePair<string, object?>("kind", alert.Kind.ToString()),
        new KeyValuePair<string, object?>("severity", alert.Severity.ToString()));
}
