namespace Cascade.Monitoring.Domain.Alerts;

/// <summary>The last alert sent for a dedup key.</summary>
public sealed record DedupEntry(string Key, AlertSeverity Severity, DateTimeOffset At);
