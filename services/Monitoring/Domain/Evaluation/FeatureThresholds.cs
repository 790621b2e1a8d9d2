using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Evaluation;

/// <summary>
/// The thresholds one numeric feature (or the prediction) is judged by: the options' fixed values, or those values
/// raised to the feature's own no-drift quantiles by <see cref="ThresholdCalibrator"/>. Effect sizes alert at or above
/// their threshold, p-values below theirs.
/// </summary>
public sealed record FeatureThresholds(
    double PsiWarning, double PsiCritical,
    double KsPValueWarning, double KsPValueCritical,
    double JensenShannonWarning, double JensenShannonCritical,
    double NormalizedWassersteinWarning, double NormalizedWassersteinCritical)
{
    /// <summary>The options' fixed thresholds, the same for every feature.</summary>
    public static FeatureThresholds Fixed(DriftThresholdOptions options) => new(
        options.PsiWarning, options.PsiCritical,
        options.KsPValueWarning, options.KsPValueCritical,
        options.JensenShannonWarning, options.JensenShannonCritical,
        options.NormalizedWassersteinWarning, options.NormalizedWassersteinCritical);
}
