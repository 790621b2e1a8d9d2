namespace Cascade.Monitoring.Domain.Alerts;

/// <summary>How serious a drift is; the numbers match <c>cascade.events.v1.Severity</c>.</summary>
public enum AlertSeverity
{
    /// <summary>No drift.</summary>
    None = 0,
    /// <summary>Weak evidence: a single statistic past its warning threshold; for consoles, not for retraining.</summary>
    Info = 1,
    /// <summary>Corroborated moderate drift.</summary>
    Warning = 2,
    /// <summary>Corroborated major drift.</summary>
    Critical = 3,
}
