namespace Cascade.Monitoring.Domain.Alerts;

/// <summary>
/// How far one feature (or the prediction, or a categorical column as a whole) drifted in one window; NaN where a
/// statistic is undefined. A categorical column has chi-squared, Jensen–Shannon over its categories and the categories
/// that moved; PSI, KS and Wasserstein are NaN for it.
/// </summary>
/// <param name="Feature">Feature name, "prediction", or a categorical column's name.</param>
/// <param name="Psi">Population Stability Index over the reference bins plus the missing bin.</param>
/// <param name="KsStatistic">Two-sample Kolmogorov–Smirnov D against the reference sample.</param>
/// <param name="KsPValue">Its asymptotic p-value.</param>
/// <param name="JensenShannon">Jensen–Shannon distance (base 2) over the same bins as PSI; for a categorical column, over its categories.</param>
/// <param name="Wasserstein">Wasserstein-1 distance against the reference sample, in the feature's units.</param>
/// <param name="NormalizedWasserstein">Wasserstein-1 divided by the reference standard deviation.</param>
/// <param name="MissingRate">Share of the window where the value was missing (for a categorical column: missing or unseen).</param>
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
    StatisticFinding? Evidence)
{
    /// <summary>Whether this is a categorical column (judged on its categories) rather than a numeric feature.</summary>
    public bool IsCategorical { get; init; }

    /// <summary>Pearson's chi-squared statistic of homogeneity on the (pooled) category counts; NaN for a numeric feature.</summary>
    public double ChiSquared { get; init; } = double.NaN;

    /// <summary>Its p-value; NaN for a numeric feature.</summary>
    public double ChiSquaredPValue { get; init; } = double.NaN;

    /// <summary>The categories whose share moved most, largest move first; empty for a numeric feature.</summary>
    public IReadOnlyList<CategoryShift> Categories { get; init; } = [];
}

/// <summary>One category's share of the reference and of the window.</summary>
/// <param name="Category">The value, or <see cref="Cascade.Ml.Evaluation.Categorical.CategoricalColumn.MissingCategory"/>.</param>
public sealed record CategoryShift(string Category, double ReferenceShare, double WindowShare);
