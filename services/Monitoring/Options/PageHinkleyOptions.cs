using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>Page–Hinkley test settings for an increase of the mean; the defaults are river's.</summary>
/// <remarks>
/// δ and λ are in the values' units. On a stable stream of variance σ², each excursion of the statistic exceeds λ with
/// probability about exp(−2δλ/σ²): e⁻¹⁰ for the defaults on Brier scores of a useful classifier (σ² ≈ 0.05, the
/// monitor's loss), but only e⁻³ on raw 0/1 errors at a 20% error rate (σ² = 0.16); raise λ for such noisier inputs.
/// </remarks>
public sealed class PageHinkleyOptions
{
    /// <summary>Tolerated increase δ: each value counts as x − x̄ − δ, so the statistic drifts down while the mean is stable.</summary>
    /// <value>The default value is 0.005.</value>
    [Range(0, 1_000_000)]
    public double Delta { get; set; } = 0.005;

    /// <summary>Detection threshold λ on the cumulative deviation above its minimum. Larger: fewer false alarms, later detection.</summary>
    /// <value>The default value is 50.</value>
    [Range(1e-9, 1e12)]
    public double Threshold { get; set; } = 50;

    /// <summary>Forgetting factor α applied to the cumulative sum at every step, so evidence older than about 1/(1 − α) values fades.</summary>
    /// <value>The default value is 0.9999.</value>
    [Range(0.0, 1.0)]
    public double Alpha { get; set; } = 0.9999;

    /// <summary>Values seen before a detection may be raised (the running mean is unreliable before).</summary>
    /// <value>The default value is 30.</value>
    [Range(1, 1_000_000)]
    public int MinInstances { get; set; } = 30;
}
