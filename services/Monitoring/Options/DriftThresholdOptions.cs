using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>
/// When a statistic counts as drift. By default (<see cref="Calibrate"/>) each feature's thresholds are derived from its
/// own reference data so that the model's false-alarm rate is a setting (<see cref="ExpectedWindowsBetweenFalseAlarms"/>),
/// and the fixed thresholds below are floors on the effect sizes; without calibration they are the thresholds. The
/// fixed values sit far in the tail of the statistics' no-drift distribution at the default window of 500 (measured by
/// simulation against training sets of 2,000–20,000 rows with normal, exponential, Poisson and binary features: the
/// 99.9th percentiles were PSI 0.08, Jensen–Shannon 0.12, normalised Wasserstein 0.19, and KS p-values are uniform).
/// </summary>
public sealed class DriftThresholdOptions
{
    /// <summary>PSI at or above which a feature drifts at WARNING; the industry rule of thumb for a moderate shift.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(1e-12, 100)]
    public double PsiWarning { get; set; } = 0.1;

    /// <summary>PSI at or above which a feature drifts at CRITICAL; the rule of thumb for a major shift.</summary>
    /// <value>The default value is 0.25.</value>
    [Range(1e-12, 100)]
    public double PsiCritical { get; set; } = 0.25;

    /// <summary>Floor on bin proportions in PSI (see <see cref="Domain.Statistics.PopulationStabilityIndex"/>).</summary>
    /// <value>The default value is 0.0001.</value>
    [Range(1e-12, 0.1)]
    public double PsiEpsilon { get; set; } = 1e-4;

    /// <summary>KS p-value below which a feature drifts at WARNING. Far below the textbook 0.05 (or 0.001) because of the
    /// number of tests: 20 features evaluated every 100 of 10⁵ predictions a day are 2·10⁴ tests a day, and 10⁻⁶ keeps a lone
    /// KS false alarm (INFO only, see <see cref="MinAgreeingStatistics"/>) to about one in 50 days. At the default window it
    /// corresponds to D ≈ 0.15 (a shift of about 0.35σ).</summary>
    /// <value>The default value is 1e-6.</value>
    [Range(1e-300, 0.5)]
    public double KsPValueWarning { get; set; } = 1e-6;

    /// <summary>KS p-value below which a feature drifts at CRITICAL (D ≈ 0.21 at the default window, about 0.5σ).</summary>
    /// <value>The default value is 1e-12.</value>
    [Range(1e-300, 0.5)]
    public double KsPValueCritical { get; set; } = 1e-12;

    /// <summary>Jensen–Shannon distance (base 2) at or above which a feature drifts at WARNING. For small shifts
    /// JS² ≈ PSI / (8·ln 2), so 0.15 sits a little above PSI 0.1; 0.1 would be inside the no-drift noise at 500 rows.</summary>
    /// <value>The default value is 0.15.</value>
    [Range(1e-12, 1)]
    public double JensenShannonWarning { get; set; } = 0.15;

    /// <summary>Jensen–Shannon distance at or above which a feature drifts at CRITICAL (about PSI 0.35).</summary>
    /// <value>The default value is 0.25.</value>
    [Range(1e-12, 1)]
    public double JensenShannonCritical { get; set; } = 0.25;

    /// <summary>Wasserstein-1 distance divided by the reference standard deviation at or above which a feature drifts at
    /// WARNING; a mean shift of k·σ gives about k. Scale-free, so one value fits every feature.</summary>
    /// <value>The default value is 0.35.</value>
    [Range(1e-12, 1_000_000)]
    public double NormalizedWassersteinWarning { get; set; } = 0.35;

    /// <summary>Normalised Wasserstein distance at or above which a feature drifts at CRITICAL.</summary>
    /// <value>The default value is 0.7.</value>
    [Range(1e-12, 1_000_000)]
    public double NormalizedWassersteinCritical { get; set; } = 0.7;

    /// <summary>Statistics that must agree before a feature is reported at WARNING or CRITICAL; fewer report INFO. With
    /// calibrated thresholds every statistic is a test at its share of the false-alarm budget, so one is enough: PSI and
    /// Jensen–Shannon, computed on the same bins, are one measurement and their agreement was never independent evidence,
    /// and an INFO alert is an alarm too. 2 restores the rule of the fixed thresholds.</summary>
    /// <value>The default value is 1.</value>
    [Range(1, 4)]
    public int MinAgreeingStatistics { get; set; } = 1;

    /// <summary>Derive each statistic's threshold from the reference data (see
    /// <see cref="Domain.Evaluation.ThresholdCalibrator"/>); false uses the fixed thresholds alone.</summary>
    /// <value>The default value is true.</value>
    public bool Calibrate { get; set; } = true;

    /// <summary>The false-alarm budget of one model: expected evaluated windows between two false alarms of any kind
    /// and severity, across all its tests together (every statistic of every feature, the prediction, the loss
    /// detectors). Split evenly over the tests of an evaluation (Bonferroni). At the default stride of 100, 10,000
    /// windows are 1,000,000 predictions: a bound of one false alarm per million predictions, whatever the number of
    /// features, and in practice fewer because overlapping windows are strongly correlated.</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 1e15)]
    public double ExpectedWindowsBetweenFalseAlarms { get; set; } = 10_000;

    /// <summary>Resamples of the reference per statistic when calibrating. They fit the tail model's two moments, so a
    /// thousand fix a threshold to within a few percent; each costs one pass over the reference sample.</summary>
    /// <value>The default value is 1,000.</value>
    [Range(100, 100_000)]
    public int CalibrationResamples { get; set; } = 1_000;
}
