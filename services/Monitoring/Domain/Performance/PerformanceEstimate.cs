using Cascade.Monitoring.Domain.Alerts;

namespace Cascade.Monitoring.Domain.Performance;

/// <summary>One window's confidence-based estimate: the expected accuracy and ROC AUC, judged against <paramref name="Limits"/>.</summary>
public sealed record PerformanceEstimate(double Accuracy, double RocAuc, AlertSeverity Severity, EstimatedAccuracyLimits Limits)
{
    /// <summary>The estimate's statistic name in evidence.</summary>
    public const string Statistic = "cbpe_accuracy";

    /// <summary>Estimates <paramref name="probabilities"/> (the window's positive-class probabilities) and judges the accuracy.</summary>
    public static PerformanceEstimate Of(ReadOnlySpan<float> probabilities, EstimatedAccuracyLimits limits)
    {
        var accuracy = ConfidenceBasedEstimate.Accuracy(probabilities);
        var severity = double.IsNaN(accuracy) ? AlertSeverity.None
            : accuracy < limits.Critical ? AlertSeverity.Critical
            : accuracy < limits.Warning ? AlertSeverity.Warning
            : AlertSeverity.None;
        return new PerformanceEstimate(accuracy, ConfidenceBasedEstimate.RocAuc(probabilities), severity, limits);
    }

    /// <summary>The evidence of an alert: the estimate, the threshold it fell below, and the fall relative to the warning's.</summary>
    public StatisticFinding Evidence()
    {
        var threshold = Severity == AlertSeverity.Critical ? Limits.Critical : Limits.Warning;
        var warningFall = Limits.ReferenceAccuracy - Limits.Warning;
        var ratio = warningFall > 0 ? (Limits.ReferenceAccuracy - Accuracy) / warningFall : double.PositiveInfinity;
        return new StatisticFinding(Statistic, Accuracy, threshold, Severity, ratio);
    }
}
