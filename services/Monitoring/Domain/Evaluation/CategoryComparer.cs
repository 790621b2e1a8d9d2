using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Domain.Windows;
using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Evaluation;

/// <summary>
/// Compares the categories of a window with a column's <see cref="ReferenceCategories"/>: reads each record's category
/// back from its encoded features, then the chi-squared test of homogeneity on the counts (rare categories pooled) and
/// the Jensen–Shannon distance between the frequencies, judged together. Not thread-safe.
/// </summary>
public sealed class CategoryComparer(DriftThresholdOptions thresholds, CategoricalDriftOptions options)
{
    private readonly DriftJudge judge = new(thresholds, options);

    /// <summary>How far the window's categories of <paramref name="reference"/>'s column have drifted, judged by
    /// <paramref name="limits"/> (the options' fixed thresholds when null).</summary>
    public FeatureDrift Compare(ReferenceCategories reference, PredictionWindow window, CategoricalThresholds? limits = null)
    {
        var counts = Count(reference, window);
        var categories = counts.Length;
        Span<long> pooledReference = stackalloc long[categories], pooledWindow = stackalloc long[categories];
        var kept = CategoryPooling.Pool(reference.Counts, counts, options.MinExpectedCount, pooledReference, pooledWindow);
        var chi = ChiSquared.Homogeneity(pooledReference[..kept], pooledWindow[..kept]);
        var jensenShannon = JensenShannon.Distance(reference.Counts, counts);
        var (severity, score, evidence) = judge.JudgeCategorical(chi.PValue, jensenShannon, limits);
        var windowTotal = window.Count;
        var missingRate = windowTotal == 0 ? double.NaN : (double)counts[^1] / windowTotal;
        return new FeatureDrift(reference.Column, double.NaN, double.NaN, double.NaN, jensenShannon, double.NaN, double.NaN, missingRate, severity, score, evidence)
        {
            IsCategorical = true,
            ChiSquared = chi.Statistic,
            ChiSquaredPValue = chi.PValue,
            Categories = Moved(reference, counts),
        };
    }

    /// <summary>Window rows per category (the missing/unseen category last), decoded from the encoded features.</summary>
    internal static long[] Count(ReferenceCategories reference, PredictionWindow window)
    {
        var counts = new long[reference.Counts.Length];
        var columns = reference.FeatureIndices;
        Span<float> encoded = stackalloc float[columns.Length];
        for (var row = 0; row < window.Count; row++)
        {
            for (var i = 0; i < columns.Length; i++) encoded[i] = window.Column(columns[i])[row];
            var code = reference.Encoding.Decode<float>(encoded);
            counts[code < 0 ? counts.Length - 1 : code]++;
        }
        return counts;
    }

    /// <summary>The categories whose share moved most (every category, even one that stayed put, when there are few).</summary>
    private CategoryShift[] Moved(ReferenceCategories reference, long[] counts)
    {
        double referenceTotal = reference.Counts.Sum(), windowTotal = counts.Sum();
        return Enumerable.Range(0, counts.Length)
            .Select(i => new CategoryShift(reference.Categories[i], referenceTotal > 0 ? reference.Counts[i] / referenceTotal : double.NaN, windowTotal > 0 ? counts[i] / windowTotal : double.NaN))
            .Where(s => s.ReferenceShare > 0 || s.WindowShare > 0)
            .OrderByDescending(s => Math.Abs(s.WindowShare - s.ReferenceShare))
            .ThenBy(s => s.Category, StringComparer.Ordinal)
            .Take(options.ReportedCategories)
            .ToArray();
    }
}
