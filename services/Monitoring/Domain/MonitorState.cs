using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Detectors;
using Cascade.Monitoring.Domain.Labels;
using Cascade.Monitoring.Domain.Performance;
using Cascade.Monitoring.Domain.Segments;
using Cascade.Monitoring.Domain.Windows;
using System.Text.Json.Serialization;

namespace Cascade.Monitoring.Domain;

/// <summary>
/// Everything a <see cref="ModelMonitor"/> must remember across a restart, except the reference profile (which the
/// model's artifact holds). Saved together with the consumer's offsets, it makes restarts exactly-once: the monitor
/// resumes with the same windows, detectors and dedup memory, so ongoing drift does not alert again and detectors do
/// not relearn from scratch. Serialise with named floating-point literals allowed (NaN marks "not yet").
/// </summary>
public sealed record MonitorState
{
    public required string Model { get; init; }
    public required int Version { get; init; }
    public required ModelTask Task { get; init; }
    public required MonitorCounters Counters { get; init; }
    public required long LastOffset { get; init; }
    public required DateTimeOffset Watermark { get; init; }
    public required int SinceEvaluation { get; init; }
    public required IReadOnlyList<WindowRecordState> Window { get; init; }
    public required IReadOnlyList<PendingPrediction> Pending { get; init; }
    public required long PendingDropped { get; init; }
    public required IReadOnlyList<LabeledPrediction> Performance { get; init; }
    public required AdwinState Adwin { get; init; }
    public required PageHinkleyState PageHinkley { get; init; }
    /// <summary>Labels joined when ADWIN last flagged a loss increase; null when it has not.</summary>
    public required long? AdwinFlaggedAt { get; init; }
    /// <summary>Labels joined when Page–Hinkley last flagged a loss increase; null when it has not.</summary>
    public required long? PageHinkleyFlaggedAt { get; init; }
    public required IReadOnlyList<DedupEntry> Dedup { get; init; }
    /// <summary>The segments' baselines, windows and errors when the model is segmented; null otherwise (and in older checkpoints).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public SegmentsState? Segments { get; init; }
}
