using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Evaluation;

/// <summary>The thresholds one categorical column is judged by: fixed, or calibrated by <see cref="ThresholdCalibrator"/>.</summary>
public sealed record CategoricalThresholds(
    double ChiSquaredPValueWarning, double ChiSquaredPValueCritical,
    double JensenShannonWarning, double JensenShannonCritical)
{
    /// <summary>The options' fixed thresholds, the same for every column.</summary>
    public static CategoricalThresholds Fixed(CategoricalDriftOptions options) => new(
        options.ChiSquaredPValueWarning, options.ChiSquaredPValueCritical,
        options.JensenShannonWarning, options.JensenShannonCritical);
}
