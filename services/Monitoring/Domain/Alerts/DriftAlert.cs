namespace Cascade.Monitoring.Domain.Alerts;

/// <summary>A drift or degradation worth telling someone about: the domain side of the <c>DriftDetected</c> event.</summary>
/// <param name="AlertId">Deterministic (dedup key and window end), so replaying the same records yields the same id.</param>
/// <param name="Model">Model name.</param>
/// <param name="Version">Model version being served and monitored.</param>
/// <param name="Severity">INFO, WARNING or CRITICAL.</param>
/// <param name="Kind">Feature drift, prediction drift or performance degradation.</param>
/// <param name="Evidence">The statistic that decided the severity, its value and threshold.</param>
/// <param name="Window">The records evaluated (for performance alerts: the labelled predictions in the performance window).</param>
/// <param name="TopFeatures">Drifting features, strongest first (empty for performance alerts).</param>
/// <param name="DedupKey">Same ongoing drift, same key: model, version and kind.</param>
/// <param name="DetectedAt">Event time of the record that completed the evidence (not the wall clock, so replays agree).</param>
/// <param name="Summary">One human-readable sentence.</param>
public sealed record DriftAlert(
    string AlertId,
    string Model,
    int Version,
    AlertSeverity Severity,
    DriftKind Kind,
    StatisticFinding Evidence,
    WindowBounds Window,
    IReadOnlyList<FeatureDrift> TopFeatures,
    string DedupKey,
    DateTimeOffset DetectedAt,
    string Summary);
