using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Evaluation;

/// <summary>Compares a window of live values with a <see cref="ReferenceDistribution"/>: PSI, KS, Jensen–Shannon and
/// Wasserstein, then a severity. Reuses its buffers, so an evaluation allocates only its result. Not thread-safe.</summary>
public sealed class DistributionComparer(DriftThresholdOptions thresholds)
{
    private readonly DriftJudge judge = new(thresholds);
    private double[] sorted = [];
    private long[] counts = [];

    /// <summary>How far <paramref name="window"/> (NaN = missing) has drifted from <paramref name="reference"/>, judged by
    /// <paramref name="limits"/> (the options' fixed thresholds when null).</summary>
    public FeatureDrift Compare(ReferenceDistribution reference, ReadOnlySpan<float> window, FeatureThresholds? limits = null)
    {
        var bins = reference.Counts.Length;
        if (counts.Length != bins) counts = new long[bins];
        if (sorted.Length < window.Length) sorted = new double[window.Length];

        Binning.Count(window, reference.Edges, counts);
        var psi = PopulationStabilityIndex.Compute(reference.Counts, counts, thresholds.PsiEpsilon);
        var jensenShannon = JensenShannon.Distance(reference.Counts, counts);

        var present = Samples.SortPresent(window, sorted);
        var sample = sorted.AsSpan(0, present);
        var ks = KolmogorovSmirnov.TwoSample(reference.SortedSample, sample);
        var wasserstein = Wasserstein.Distance(reference.SortedSample, sample);
        var normalized = Wasserstein.Normalized(wasserstein, reference.Std);
        var missingRate = window.IsEmpty ? double.NaN : (double)(window.Length - present) / window.Length;

        var (severity, score, evidence) = judge.Judge(psi, ks.PValue, jensenShannon, normalized, limits);
        return new FeatureDrift(reference.Name, psi, ks.Statistic, ks.PValue, jensenShannon, wasserstein, normalized, missingRate, severity, score, evidence);
    }
}
