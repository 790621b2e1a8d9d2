using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Evaluation;
using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Segments;

/// <summary>
/// Compares a segment's window with its baseline by the model's two-sample tests: Kolmogorov–Smirnov on every numeric
/// feature and on the prediction, chi-squared homogeneity on every categorical column (the segmenting column left
/// out: within a segment it is constant or held to a bin). Each test fires below the segment's share of the model's
/// false-alarm budget (<see cref="Alpha"/>). Why not PSI, Jensen–Shannon and Wasserstein too: their thresholds presume
/// a reference of thousands of rows, and a baseline holds a few hundred; the two tests' p-values account for both
/// sample sizes. Reuses its buffers. Not thread-safe.
/// </summary>
public sealed class SegmentComparer(DriftThresholdOptions thresholds, CategoricalDriftOptions categorical)
{
    /// <summary>The statistic of a segment's error-rate test.</summary>
    public const string ErrorRatePValue = "error_rate_p_value";

    /// <summary>
    /// The p-value below which one test of one segment fires: 1 / (expected windows between false alarms × tests per
    /// segment × segments), so watching S segments adds at most one false alarm per that many evaluation rounds, whatever S.
    /// </summary>
    public double Alpha(int testsPerSegment, int segments) => 1.0 / (thresholds.ExpectedWindowsBetweenFalseAlarms * testsPerSegment * segments);

    private double[] baselineSorted = [];
    private double[] windowSorted = [];

    /// <summary>
    /// The verdict on <paramref name="segment"/> (named <paramref name="name"/>): every numeric feature of
    /// <paramref name="numeric"/> and categorical column of <paramref name="columns"/> (the segmenting column already
    /// left out), and the prediction, each judged at <paramref name="alpha"/>.
    /// </summary>
    public SegmentVerdict Compare(string name, SegmentWindow segment, IReadOnlyList<ReferenceDistribution> features, IReadOnlyList<int> numeric,
        IReadOnlyList<ReferenceCategories> columns, double alpha)
    {
        var critical = Critical(alpha);

        var findings = new List<FeatureDrift>();
        var (baseline, window) = (segment.Baseline, segment.Window);
        foreach (var f in numeric)
        {
            if (baseline.IsWithheld(f) || window.IsWithheld(f)) continue; // values unknown: not measured, as for the model
            findings.Add(Numeric(features[f].Name, baseline.Column(f), window.Column(f), alpha, critical));
        }
        findings.Add(Numeric("prediction", baseline.Outputs, window.Outputs, alpha, critical));
        foreach (var category in columns)
        {
            if (category.FeatureIndices.Any(f => baseline.IsWithheld(f) || window.IsWithheld(f))) continue;
            findings.Add(Categorical(category, baseline, window, alpha, critical));
        }
        var ranked = findings.Where(f => f.Severity > AlertSeverity.None).OrderByDescending(f => f.Severity).ThenByDescending(f => f.Score).ToArray();
        var strongest = ranked.FirstOrDefault() ?? findings.OrderByDescending(f => f.Score).First();
        return new SegmentVerdict(name, strongest.Severity, strongest.Evidence!, ranked, window.Bounds());
    }

    private FeatureDrift Numeric(string name, ReadOnlySpan<float> baseline, ReadOnlySpan<float> window, double alpha, double critical)
    {
        if (baselineSorted.Length < baseline.Length) baselineSorted = new double[baseline.Length];
        if (windowSorted.Length < window.Length) windowSorted = new double[window.Length];
        var a = baselineSorted.AsSpan(0, Samples.SortPresent(baseline, baselineSorted));
        var b = windowSorted.AsSpan(0, Samples.SortPresent(window, windowSorted));
        var ks = KolmogorovSmirnov.TwoSample(a, b);
        var evidence = Judge(DriftJudge.KsPValue, ks.PValue, alpha, critical);
        return new FeatureDrift(name, double.NaN, ks.Statistic, ks.PValue, double.NaN, double.NaN, double.NaN, double.NaN, evidence.Severity, evidence.Ratio, evidence);
    }

    private FeatureDrift Categorical(ReferenceCategories category, Windows.PredictionWindow baseline, Windows.PredictionWindow window, double alpha, double critical)
    {
        var before = CategoryComparer.Count(category, baseline);
        var after = CategoryComparer.Count(category, window);
        Span<long> pooledBefore = stackalloc long[before.Length], pooledAfter = stackalloc long[after.Length];
        var kept = CategoryPooling.Pool(before, after, categorical.MinExpectedCount, pooledBefore, pooledAfter);
        var chi = ChiSquared.Homogeneity(pooledBefore[..kept], pooledAfter[..kept]);
        var evidence = Judge(DriftJudge.ChiSquaredPValue, chi.PValue, alpha, critical);
        return new FeatureDrift(category.Column, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, evidence.Severity, evidence.Ratio, evidence)
        {
            IsCategorical = true,
            ChiSquared = chi.Statistic,
            ChiSquaredPValue = chi.PValue,
        };
    }

    /// <summary>The finding of a rise of a segment's error rate from its baseline's (a one-sided two-proportion test).</summary>
    public StatisticFinding ErrorRise(SegmentErrors errors, double alpha) =>
        Judge(ErrorRatePValue, TwoProportions.RiseP(errors.BaselineWrong, errors.BaselineLabelled, errors.RecentWrong, errors.RecentLabelled), alpha, Critical(alpha));

    // As the model's own tests: critical as many decades below the warning as the KS thresholds are apart.
    private double Critical(double alpha) => alpha * thresholds.KsPValueCritical / thresholds.KsPValueWarning;

    /// <summary>The finding of a p-value: its ratio is log p / log α, 1 at the threshold and larger the stronger the evidence.</summary>
    private static StatisticFinding Judge(string statistic, double p, double alpha, double critical)
    {
        var severity = double.IsNaN(p) ? AlertSeverity.None : p < critical ? AlertSeverity.Critical : p < alpha ? AlertSeverity.Warning : AlertSeverity.None;
        var ratio = double.IsNaN(p) ? 0 : Math.Log(Math.Max(p, double.Epsilon)) / Math.Log(alpha);
        return new StatisticFinding(statistic, p, alpha, severity, ratio);
    }
}
