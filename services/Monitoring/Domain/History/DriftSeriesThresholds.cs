using Cascade.Monitoring.Domain.Evaluation;

namespace Cascade.Monitoring.Domain.History;

/// <summary>
/// The thresholds one series (a feature, a categorical column or the prediction) of a version was judged by, in one
/// shape for both kinds: a numeric feature has no chi-squared thresholds and a categorical column no PSI, KS or
/// Wasserstein ones (NaN there). Effect sizes alert at or above theirs, p-values below theirs.
/// </summary>
/// <param name="Calibrated">Derived from the version's reference data; false when these are the configured fixed values.</param>
public sealed record DriftSeriesThresholds(
    double PsiWarning, double PsiCritical,
    double KsPValueWarning, double KsPValueCritical,
    double JensenShannonWarning, double JensenShannonCritical,
    double WassersteinWarning, double WassersteinCritical,
    double ChiSquaredPValueWarning, double ChiSquaredPValueCritical,
    bool Calibrated)
{
    /// <summary>A numeric feature's or the prediction's thresholds.</summary>
    public static DriftSeriesThresholds Of(FeatureThresholds t, bool calibrated) => new(
        t.PsiWarning, t.PsiCritical, t.KsPValueWarning, t.KsPValueCritical, t.JensenShannonWarning, t.JensenShannonCritical,
        t.NormalizedWassersteinWarning, t.NormalizedWassersteinCritical, double.NaN, double.NaN, calibrated);

    /// <summary>A categorical column's thresholds.</summary>
    public static DriftSeriesThresholds Of(CategoricalThresholds t, bool calibrated) => new(
        double.NaN, double.NaN, double.NaN, double.NaN, t.JensenShannonWarning, t.JensenShannonCritical,
        double.NaN, double.NaN, t.ChiSquaredPValueWarning, t.ChiSquaredPValueCritical, calibrated);
}
