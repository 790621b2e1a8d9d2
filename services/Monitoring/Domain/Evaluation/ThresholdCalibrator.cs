using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Evaluation;

/// <summary>
/// Derives each statistic's alert threshold from the reference data itself: the statistic's distribution between the
/// reference and a window of the monitored size when nothing has drifted, resampled from the reference profile, and
/// its upper quantile at the per-test false-alarm probability (<see cref="FalseAlarmBudget"/>).
/// </summary>
/// <remarks>
/// <para>What is resampled. The profile keeps the full training data's bin counts (N rows) and a sample of up to 1,000
/// values, not the rows themselves, so NannyML's "statistic between reference chunks" is computed as a parametric
/// bootstrap of what the monitor compares: for PSI and Jensen–Shannon, a reference of N rows and a window of n rows
/// drawn from the reference's bin proportions (a bin the training data left empty, such as "above the training range",
/// gets the window a probability of 1 / (N + 1), the chance that a new value beats N old ones); for the Wasserstein
/// distance, a reference of the sample's size and a window of n drawn from the sample (the statistic is computed
/// against that sample). Both sides are redrawn because both are samples of the same population under no drift.</para>
/// <para>The tail. The per-test probability is about 10⁻⁶, far beyond what a thousand resamples can show, so the
/// resamples fit a scaled chi-squared (<see cref="ScaledChiSquared"/>) to PSI, to the squared Jensen–Shannon distance
/// and to the squared normalised Wasserstein distance, and the threshold is its quantile. The KS and chi-squared
/// p-values are already calibrated analytically (uniform under no drift, conservative with ties), so their thresholds
/// are the per-test probability itself.</para>
/// <para>Floors. The options' fixed thresholds stay as floors on the effect sizes (and ceilings on the p-values): a
/// statistic must be both unusual for this reference and large enough to matter, as Evidently's fixed thresholds are,
/// so a huge reference cannot make negligible shifts alert. CRITICAL needs the calibrated warning threshold and the
/// fixed critical effect size. The resampling is seeded, so a version's thresholds are the same on every replay.</para>
/// </remarks>
public static class ThresholdCalibrator
{
    /// <summary>Calibrated thresholds for a numeric feature or the prediction.</summary>
    /// <param name="reference">The prepared reference.</param>
    /// <param name="windowSize">Rows per monitored window.</param>
    /// <param name="tailProbability">The per-test false-alarm probability.</param>
    /// <param name="options">Floors and the number of resamples.</param>
    /// <param name="seed">Seed of the resampling (the same seed gives the same thresholds).</param>
    public static FeatureThresholds Calibrate(ReferenceDistribution reference, int windowSize, double tailProbability, DriftThresholdOptions options, int seed)
    {
        var random = new Random(seed);
        var resamples = options.CalibrationResamples;
        var psi = new double[resamples];
        var jensenShannon = new double[resamples];
        BinnedNull(reference.Counts, windowSize, resamples, random, options.PsiEpsilon, psi, jensenShannon);
        var wasserstein = WassersteinNull(reference.SortedSample, reference.Std, windowSize, resamples, random);

        var psiWarning = Math.Max(options.PsiWarning, Quantile(psi, tailProbability));
        var jsWarning = Math.Max(options.JensenShannonWarning, Math.Sqrt(Quantile(jensenShannon, tailProbability)));
        var wWarning = Math.Max(options.NormalizedWassersteinWarning, Math.Sqrt(Quantile(wasserstein, tailProbability)));
        var ksWarning = Math.Min(options.KsPValueWarning, tailProbability);
        return new FeatureThresholds(
            psiWarning, Math.Max(options.PsiCritical, psiWarning),
            ksWarning, Math.Min(options.KsPValueCritical, ksWarning),
            jsWarning, Math.Max(options.JensenShannonCritical, jsWarning),
            wWarning, Math.Max(options.NormalizedWassersteinCritical, wWarning));
    }

    /// <summary>Calibrated thresholds for a categorical column (its Jensen–Shannon distance; the chi-squared p-value is analytic).</summary>
    public static CategoricalThresholds Calibrate(ReferenceCategories reference, int windowSize, double tailProbability, CategoricalDriftOptions categorical, DriftThresholdOptions options, int seed)
    {
        var random = new Random(seed);
        var resamples = options.CalibrationResamples;
        var jensenShannon = new double[resamples];
        BinnedNull(reference.Counts, windowSize, resamples, random, options.PsiEpsilon, psi: null, jensenShannon);
        var jsWarning = Math.Max(categorical.JensenShannonWarning, Math.Sqrt(Quantile(jensenShannon, tailProbability)));
        var chiWarning = Math.Min(categorical.ChiSquaredPValueWarning, tailProbability);
        return new CategoricalThresholds(chiWarning, Math.Min(categorical.ChiSquaredPValueCritical, chiWarning),
            jsWarning, Math.Max(categorical.JensenShannonCritical, jsWarning));
    }

    /// <summary>The fitted tail's quantile; 0 (no constraint beyond the floor) when the statistic never varies.</summary>
    private static double Quantile(double[] values, double tailProbability) =>
        ScaledChiSquared.FitMoments(values)?.UpperQuantile(tailProbability) ?? 0;

    /// <summary>PSI and squared Jensen–Shannon distances between resampled references and windows over the reference's bins.</summary>
    private static void BinnedNull(long[] counts, int windowSize, int resamples, Random random, double epsilon, double[]? psi, double[] jensenShannon)
    {
        long total = 0;
        foreach (var c in counts) total += c;
        var reference = new double[counts.Length];
        var window = new double[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            reference[i] = (double)counts[i] / total;
            window[i] = counts[i] > 0 ? reference[i] : 1.0 / (total + 1);
        }
        var windowMass = window.Sum();
        for (var i = 0; i < window.Length; i++) window[i] /= windowMass;

        var referenceDraw = new long[counts.Length];
        var windowDraw = new long[counts.Length];
        for (var r = 0; r < resamples; r++)
        {
            Resampling.Multinomial(random, total, reference, referenceDraw);
            Resampling.Multinomial(random, windowSize, window, windowDraw);
            if (psi is not null) psi[r] = PopulationStabilityIndex.Compute(referenceDraw, windowDraw, epsilon);
            var js = JensenShannon.Distance(referenceDraw, windowDraw);
            jensenShannon[r] = js * js;
        }
    }

    /// <summary>
    /// Squared normalised Wasserstein distances between a resampled reference sample and a resampled window. Both draw
    /// from the sample's values, so each resample is a pair of count vectors over the sorted sample, and W₁ is the area
    /// between their CDFs, accumulated in one pass without sorting.
    /// </summary>
    private static double[] WassersteinNull(double[] sorted, double std, int windowSize, int resamples, Random random)
    {
        var result = new double[resamples];
        var size = sorted.Length;
        if (size < 2 || !(std > 0)) return result;
        var referenceDraw = new int[size];
        var referenceSize = Math.Max(1, size * 3 / 4);
        var windowDraw = new int[size];
        for (var r = 0; r < resamples; r++)
        {
            Array.Clear(referenceDraw);
            Array.Clear(windowDraw);
            // The reference resample has three quarters of the sample's size: in production the window is compared with
            // one fixed reference sample, whose own error is an offset every window shares; over references that offset
            // makes the tail heavier than two independent draws of the sample's size give (measured in
            // ThresholdCalibrationTests: 2.6× the configured rate). A third more reference error brings it back in line.
            for (var i = 0; i < referenceSize; i++) referenceDraw[random.Next(size)]++;
            for (var i = 0; i < windowSize; i++) windowDraw[random.Next(size)]++;
            double a = 0, b = 0, area = 0;
            for (var k = 0; k < size - 1; k++)
            {
                a += referenceDraw[k];
                b += windowDraw[k];
                area += Math.Abs(a / referenceSize - b / windowSize) * (sorted[k + 1] - sorted[k]);
            }
            var normalised = area / std;
            result[r] = normalised * normalised;
        }
        return result;
    }
}
