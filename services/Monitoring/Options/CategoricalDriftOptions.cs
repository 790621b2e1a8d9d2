using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>
/// When a categorical column counts as drifting. Its features (one-hot parts or an ordinal code) are not binned like
/// numbers: the window's category counts are tested against the reference's with a chi-squared test of homogeneity
/// (significance) and the Jensen–Shannon distance between the category frequencies (size), and the column is judged
/// as a whole. Both must agree for WARNING or CRITICAL (<see cref="DriftThresholdOptions.MinAgreeingStatistics"/>,
/// capped at the two statistics there are); one alone reports INFO.
/// </summary>
public sealed class CategoricalDriftOptions
{
    /// <summary>
    /// Chi-squared p-value below which a column drifts at WARNING. As far below 0.05 as the KS threshold, for the same
    /// reason: every column is tested at every evaluation stride, thousands of tests a day, and 10⁻⁶ keeps a lone false
    /// alarm to about one in 50 days. With rare categories pooled (<see cref="MinExpectedCount"/>) the test's p-values
    /// are close to uniform without drift, so the rate does not depend on how many categories a column has.
    /// </summary>
    /// <value>The default value is 1e-6.</value>
    [Range(1e-300, 0.5)]
    public double ChiSquaredPValueWarning { get; set; } = 1e-6;

    /// <summary>Chi-squared p-value below which a column drifts at CRITICAL.</summary>
    /// <value>The default value is 1e-12.</value>
    [Range(1e-300, 0.5)]
    public double ChiSquaredPValueCritical { get; set; } = 1e-12;

    /// <summary>
    /// Jensen–Shannon distance (base 2) between the reference and window category frequencies at or above which a
    /// column drifts at WARNING. Without drift, JS² ≈ χ²(K−1) / (8·ln 2·n): at the default window of 500, the 99.9th
    /// percentile is 0.08 for 4 categories and 0.13 for 20, so 0.15 is out of the noise for up to about 30
    /// categories. It is reached when about 18 points of share move between two equally common categories.
    /// </summary>
    /// <value>The default value is 0.15.</value>
    [Range(1e-12, 1)]
    public double JensenShannonWarning { get; set; } = 0.15;

    /// <summary>Jensen–Shannon distance at or above which a column drifts at CRITICAL (about 29 points of share moved between two categories).</summary>
    /// <value>The default value is 0.25.</value>
    [Range(1e-12, 1)]
    public double JensenShannonCritical { get; set; } = 0.25;

    /// <summary>
    /// Categories whose reference share would put fewer rows than this in the window are pooled into one before the
    /// chi-squared test: Cochran's rule for the approximation (expected counts of 5 or more). 0 pools nothing.
    /// </summary>
    /// <value>The default value is 5.</value>
    [Range(0, 1000)]
    public double MinExpectedCount { get; set; } = 5;

    /// <summary>How many of the categories whose share moved most an alert names.</summary>
    /// <value>The default value is 3.</value>
    [Range(1, 100)]
    public int ReportedCategories { get; set; } = 3;
}
