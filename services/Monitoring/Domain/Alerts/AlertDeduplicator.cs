namespace Cascade.Monitoring.Domain.Alerts;

/// <summary>
/// Decides whether an alert is news: the first for its dedup key, a severity escalation, or a reminder after the quiet
/// period. A de-escalation is not news, and the key keeps its highest severity until the quiet period ends, so a drift
/// that wavers around a threshold alerts once instead of on every crossing.
/// </summary>
public sealed class AlertDeduplicator(TimeSpan quietPeriod)
{
    private readonly Dictionary<string, DedupEntry> entries = new(StringComparer.Ordinal);

    /// <summary>The dedup key of an ongoing drift: one per model version and kind.</summary>
    public static string KeyFor(string model, int version, DriftKind kind) => $"{model}/v{version}/{Slug(kind)}";

    /// <summary>Whether an alert with this key and severity at event time <paramref name="at"/> should go out; records it when so.</summary>
    public bool TryRecord(string key, AlertSeverity severity, DateTimeOffset at)
    {
        if (severity == AlertSeverity.None) return false;
        if (entries.TryGetValue(key, out var last) && severity <= last.Severity && at - last.At < quietPeriod)
        {
            return false;
        }
        entries[key] = new DedupEntry(key, severity, at);
        return true;
    }

    /// <summary>Forgets every key (a new model version starts with a clean slate).</summary>
    public void Clear() => entries.Clear();

    /// <summary>The remembered alerts, for checkpoints.</summary>
    public IReadOnlyList<DedupEntry> Export() => entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray();

    /// <summary>Replaces the remembered alerts with a checkpoint's.</summary>
    public void Import(IEnumerable<DedupEntry> saved)
    {
        entries.Clear();
        foreach (var entry in saved) entries[entry.Key] = entry;
    }

    private static string Slug(DriftKind kind) => kind switch
    {
        DriftKind.FeatureDrift => "feature-drift",
        DriftKind.PredictionDrift => "prediction-drift",
        DriftKind.PerformanceDegradation => "performance",
        DriftKind.EstimatedPerformanceDrop => "estimated-performance",
        DriftKind.SegmentDegraded => "segment-degraded",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

