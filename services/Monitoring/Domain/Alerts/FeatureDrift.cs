namespace Cascade.Monitoring.Domain.Alerts;

/// <summary>How far one feature (or the prediction) drifted in one window; NaN where a statistic is undefined.</summary>
/// <param name="Feature">Feature name, or "prediction".</param>
/// <param name="Psi">Population Stability Index over the reference bins plus the missing bin.</param>
/// <param name="KsStatistic">Two-sample Kolmogorov–Smirnov D against the reference sample.</param>
/// <param name="KsPValue">Its asymptotic p-value.</param>
/// <param name="JensenShannon">Jensen–Shannon distance (base 2) over the same bins as PSI.</param>
/// <param name="Wasserstein">Wasserstein-1 distance against the reference sample, in the feature's units.</param>
/// <param name="NormalizedWasserstein">Wasserstein-1 divided by the reference standard deviation.</param>
/// <param name="MissingRate">Share of the window where the value was missing.</param>
/// <param name="Severity">The level the agreeing statistics reached.</param>
/// <param name="Score">Ranking score: the largest of PSI, Jensen–Shannon and normalised Wasserstein, each divided by its
/// warning threshold (effect sizes only; the KS p-value measures significance, not size).</param>
/// <param name="Evidence">The strongest statistic at <paramref name="Severity"/>, or null when none crossed a threshold.</param>
public sealed record FeatureDrift(
    string Feature,
    double Psi,
    double KsStatistic,
    double KsPValue,
    double JensenShannon,
    double Wasserstein,
    double NormalizedWasserstein,
    double MissingRate,
    AlertSeverity Severity,
    double Score,
    StatisticFinding? Evidence);
