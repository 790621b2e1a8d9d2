using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Evaluation;

/// <summary>
/// Turns a feature's four statistics into a severity. Each statistic reaches a level on its own (its warning or critical
/// threshold: the options' fixed ones, or the feature's calibrated <see cref="FeatureThresholds"/>); the feature is CRITICAL when at least <see cref="DriftThresholdOptions.MinAgreeingStatistics"/> statistics
/// reach CRITICAL, else WARNING when that many reach WARNING, else INFO when any one does. Undefined statistics (NaN,
/// such as KS on an all-missing window) abstain.
/// </summary>
public sealed class DriftJudge(DriftThresholdOptions thresholds, CategoricalDriftOptions? categorical = null)
{
    /// <summary>Statistic names used in evidence.</summary>
    public const string Psi = "psi", KsPValue = "ks_p_value", JensenShannon = "jensen_shannon", NormalizedWasserstein = "wasserstein_normalized", ChiSquaredPValue = "chi_squared_p_value";

    private readonly CategoricalDriftOptions _categorical = categorical ?? new CategoricalDriftOptions();

    /// <summary>
    /// The severity, ranking score and deciding evidence for a categorical column: the chi-squared p-value and the
    /// Jensen–Shannon distance over its categories, by the same agreement rule (at most both of them need agree). The
    /// score is the distance's ratio to its warning threshold: an effect size, like the numeric features' scores.
    /// </summary>
    public (AlertSeverity Severity, double Score, StatisticFinding? Evidence) JudgeCategorical(double chiSquaredPValue, double jensenShannon, CategoricalThresholds? limits = null)
    {
        var t = limits ?? CategoricalThresholds.Fixed(_categorical);
        Span<Level> levels =
        [
            Smaller(ChiSquaredPValue, chiSquaredPValue, t.ChiSquaredPValueWarning, t.ChiSquaredPValueCritical),
            Larger(JensenShannon, jensenShannon, t.JensenShannonWarning, t.JensenShannonCritical),
        ];
        var agreeing = Math.Min(thresholds.MinAgreeingStatistics, levels.Length);
        int critical = 0, warning = 0;
        foreach (var level in levels)
        {
            if (level.Reached >= AlertSeverity.Critical) critical++;
            if (level.Reached >= AlertSeverity.Warning) warning++;
        }
        var severity = critical >= agreeing ? AlertSeverity.Critical
            : warning >= agreeing ? AlertSeverity.Warning
            : warning > 0 ? AlertSeverity.Info
            : AlertSeverity.None;
        var score = levels[1].Ratio > 0 ? levels[1].Ratio : 0;
        return (severity, score, Evidence(levels, severity));
    }

    /// <summary>The severity, ranking score and deciding evidence for one feature's statistics, by <paramref name="limits"/>
    /// (the options' fixed thresholds when null).</summary>
    public (AlertSeverity Severity, double Score, StatisticFinding? Evidence) Judge(double psi, double ksPValue, double jensenShannon, double normalizedWasserstein, FeatureThresholds? limits = null)
    {
        var t = limits ?? FeatureThresholds.Fixed(thresholds);
        Span<Level> levels =
        [
            Larger(Psi, psi, t.PsiWarning, t.PsiCritical),
            Smaller(KsPValue, ksPValue, t.KsPValueWarning, t.KsPValueCritical),
            Larger(JensenShannon, jensenShannon, t.JensenShannonWarning, t.JensenShannonCritical),
            Larger(NormalizedWasserstein, normalizedWasserstein, t.NormalizedWassersteinWarning, t.NormalizedWassersteinCritical),
        ];
        int critical = 0, warning = 0;
        foreach (var level in levels)
        {
            if (level.Reached >= AlertSeverity.Critical) critical++;
            if (level.Reached >= AlertSeverity.Warning) warning++;
        }
        var severity = critical >= thresholds.MinAgreeingStatistics ? AlertSeverity.Critical
            : warning >= thresholds.MinAgreeingStatistics ? AlertSeverity.Warning
            : warning > 0 ? AlertSeverity.Info
            : AlertSeverity.None;

        // Effect sizes rank features; the KS p-value mostly reflects the sample sizes, which are the same for all.
        var score = Max(levels[0].Ratio, levels[2].Ratio, levels[3].Ratio);
        return (severity, score, Evidence(levels, severity));
    }

    private static StatisticFinding? Evidence(ReadOnlySpan<Level> levels, AlertSeverity severity)
    {
        if (severity == AlertSeverity.None) return null;
        // INFO means one statistic crossed its warning threshold; quote thresholds at the level actually reported.
        var quoted = severity == AlertSeverity.Info ? AlertSeverity.Warning : severity;
        Level? best = null;
        foreach (var level in levels)
        {
            if (level.Reached >= quoted && (best is null || level.Ratio > best.Value.Ratio)) best = level;
        }
        var chosen = best!.Value;
        var threshold = quoted == AlertSeverity.Critical ? chosen.Critical : chosen.Warning;
        return new StatisticFinding(chosen.Name, chosen.Value, threshold, severity, chosen.Ratio);
    }

    private static Level Larger(string name, double value, double warning, double critical)
    {
        if (double.IsNaN(value)) return new Level(name, value, warning, critical, AlertSeverity.None, double.NaN);
        var reached = value >= critical ? AlertSeverity.Critical : value >= warning ? AlertSeverity.Warning : AlertSeverity.None;
        return new Level(name, value, warning, critical, reached, value / warning);
    }

    private static Level Smaller(string name, double pValue, double warning, double critical)
    {
        if (double.IsNaN(pValue)) return new Level(name, pValue, warning, critical, AlertSeverity.None, double.NaN);
        var reached = pValue < critical ? AlertSeverity.Critical : pValue < warning ? AlertSeverity.Warning : AlertSeverity.None;
        // On a log scale, so that p = warning gives 1 like the other statistics; p = 0 (underflow) is infinitely strong.
        var ratio = pValue <= 0 ? double.PositiveInfinity : Math.Log(pValue) / Math.Log(warning);
        return new Level(name, pValue, warning, critical, reached, ratio);
    }

    private static double Max(double a, double b, double c)
    {
        var max = 0.0;
        foreach (var value in (ReadOnlySpan<double>)[a, b, c])
        {
            if (value > max) max = value;
        }
        return max;
    }

    private readonly record struct Level(string Name, double Value, double Warning, double Critical, AlertSeverity Reached, double Ratio);
}
