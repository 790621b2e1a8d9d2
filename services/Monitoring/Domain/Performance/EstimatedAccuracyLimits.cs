using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Performance;

/// <summary>
/// The reference for confidence-based accuracy estimates: the accuracy the model's held-out probabilities expect (from
/// the prediction's reference sample) and the estimates below which a window alerts.
/// </summary>
/// <remarks>
/// A window's estimate is the mean of n confidences max(p, 1 − p), each in [½, 1]. Without drift it differs from the
/// reference's mean by the window's sampling error and the reference sample's own (shared by every window), so the
/// calibrated fall is Bernstein's bound at the test's share of the false-alarm budget α:
/// √(2σ²·(1/n + 1/N)·ln(1/α)) + (2/3)·½·ln(1/α)/n, σ² the reference confidences' variance, N the sample's size. It holds
/// for any distribution of confidences (no normal tail assumed), at the price of some width. The options' falls are
/// floors, as the other statistics' effect sizes are: an alert needs a fall that is both unusual and large enough to matter.
/// </remarks>
public sealed record EstimatedAccuracyLimits(double ReferenceAccuracy, double Warning, double Critical, bool Calibrated)
{
    /// <summary>Too few reference probabilities for a mean worth comparing with.</summary>
    public const int MinimumSample = 30;

    /// <summary>The limits for windows of <paramref name="windowSize"/>; null when the sample is too small.</summary>
    public static EstimatedAccuracyLimits? For(ReadOnlySpan<double> referenceProbabilities, int windowSize, double tailProbability, PerformanceEstimationOptions options, bool calibrate)
    {
        var n = 0;
        double sum = 0, squares = 0;
        foreach (var p in referenceProbabilities)
        {
            if (!double.IsFinite(p)) continue;
            var c = ConfidenceBasedEstimate.Confidence(p);
            sum += c;
            squares += c * c;
            n++;
        }
        if (n < MinimumSample) return null;
        var mean = sum / n;
        var variance = Math.Max(0, squares / n - mean * mean);
        var fall = 0.0;
        if (calibrate)
        {
            var log = Math.Log(1 / tailProbability);
            fall = Math.Sqrt(2 * variance * (1.0 / windowSize + 1.0 / n) * log) + 2.0 / 3 * 0.5 * log / windowSize;
        }
        return new EstimatedAccuracyLimits(mean, mean - Math.Max(fall, options.AccuracyDropWarning), mean - Math.Max(fall, options.AccuracyDropCritical), calibrate);
    }
}
