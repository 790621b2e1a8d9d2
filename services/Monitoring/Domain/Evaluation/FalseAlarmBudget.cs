using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Evaluation;

/// <summary>
/// Splits a model's false-alarm budget over the tests of one evaluation (Bonferroni): with E expected evaluations between
/// false alarms and m tests per evaluation, each test may fire falsely with probability 1 / (E·m), so the chance that
/// any of them does is at most 1 / E whatever their correlation.
/// </summary>
/// <remarks>
/// The tests counted are every statistic of every measured input (four per numeric feature, two per categorical
/// column), the prediction's four, one for the estimated accuracy of a binary classifier, and one for the loss detectors (ADWIN and Page–Hinkley) per evaluation stride,
/// whose settings are not derived from the budget but whose measured rate is far inside that share (docs/monitoring.md).
/// Overlapping windows make consecutive evaluations strongly correlated, so the real rate is well below the bound.
/// </remarks>
public static class FalseAlarmBudget
{
    /// <summary>Statistics per numeric feature and per categorical column.</summary>
    public const int NumericStatistics = 4, CategoricalStatistics = 2;

    /// <summary>The tests one evaluation of a model with these inputs runs (<paramref name="estimatesAccuracy"/>: its accuracy is estimated without labels).</summary>
    public static int Tests(int numericFeatures, int categoricalColumns, bool estimatesAccuracy = false) =>
        NumericStatistics * (numericFeatures + 1) + CategoricalStatistics * categoricalColumns + 1 + (estimatesAccuracy ? 1 : 0);

    /// <summary>The probability each test may fire falsely at one evaluation.</summary>
    public static double PerTest(DriftThresholdOptions options, int numericFeatures, int categoricalColumns, bool estimatesAccuracy = false) =>
        1.0 / (options.ExpectedWindowsBetweenFalseAlarms * Tests(numericFeatures, categoricalColumns, estimatesAccuracy));
}
