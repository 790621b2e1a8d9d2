using Cascade.Contracts.Events.V1;
using Cascade.Monitoring.Domain.Alerts;
using Google.Protobuf.WellKnownTypes;
using DomainKind = Cascade.Monitoring.Domain.Alerts.DriftKind;
using EventKind = Cascade.Contracts.Events.V1.DriftKind;

namespace Cascade.Monitoring.Alerts;

/// <summary>Maps the monitor's alerts and drift scores to their wire form (<c>DriftDetected</c>, <c>FeatureDriftScore</c>).</summary>
public static class AlertMapping
{
    public static DriftDetected ToEvent(DriftAlert alert)
    {
        var detected = new DriftDetected
        {
            AlertId = alert.AlertId,
            Model = alert.Model,
            Version = alert.Version,
            Severity = ToSeverity(alert.Severity),
            Kind = alert.Kind switch
            {
                DomainKind.FeatureDrift => EventKind.Feature,
                DomainKind.PredictionDrift => EventKind.Prediction,
                DomainKind.EstimatedPerformanceDrop => EventKind.EstimatedPerformance,
                DomainKind.SegmentDegraded => EventKind.SegmentDegraded,
                _ => EventKind.Performance,
            },
            Statistic = alert.Evidence.Statistic,
            Value = alert.Evidence.Value,
            Threshold = alert.Evidence.Threshold,
            WindowStart = alert.Window.StartOffset,
            WindowEnd = alert.Window.EndOffset,
            WindowSize = alert.Window.Size,
            DedupKey = alert.DedupKey,
            DetectedAt = Timestamp.FromDateTimeOffset(alert.DetectedAt),
            Summary = alert.Summary,
        };
        detected.TopFeatures.AddRange(alert.TopFeatures.Select(ToScore));
        return detected;
    }

    public static FeatureDriftScore ToScore(FeatureDrift drift) => new()
    {
        Feature = drift.Feature,
        Psi = drift.Psi,
        KsStatistic = drift.KsStatistic,
        KsPValue = drift.KsPValue,
        JensenShannon = drift.JensenShannon,
        Wasserstein = drift.Wasserstein,
        ChiSquared = drift.ChiSquared,
        ChiSquaredPValue = drift.ChiSquaredPValue,
        Categories = { drift.Categories.Select(c => new Cascade.Contracts.Events.V1.CategoryShift { Category = c.Category, ReferenceShare = c.ReferenceShare, WindowShare = c.WindowShare }) },
    };

    public static Contracts.Monitoring.V1.FairnessSummary ToFairness(Domain.Segments.FairnessSummary fairness) => new()
    {
        Column = fairness.Column,
        Segments = { fairness.Segments.Select(ToSegment) },
        Overall = ToSegment(fairness.Overall),
        Unsegmented = fairness.Unsegmented,
    };

    private static Contracts.Monitoring.V1.SegmentSummary ToSegment(Domain.Segments.SegmentSummary segment) => new()
    {
        Segment = segment.Segment,
        Count = segment.Count,
        PositiveRate = segment.PositiveRate,
        MeanPrediction = segment.MeanPrediction,
        Labelled = segment.Labelled,
        ErrorRate = segment.ErrorRate,
        Drift = ToSeverity(segment.Drift),
    };

    public static Severity ToSeverity(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Info => Severity.Info,
        AlertSeverity.Warning => Severity.Warning,
        AlertSeverity.Critical => Severity.Critical,
        _ => Severity.Unspecified,
    };
}
