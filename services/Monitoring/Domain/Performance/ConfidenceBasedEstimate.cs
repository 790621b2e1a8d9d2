namespace Cascade.Monitoring.Domain.Performance;

/// <summary>
/// Confidence-based performance estimation (NannyML's CBPE) for a binary classifier: with calibrated probabilities,
/// a prediction p is right with probability max(p, 1 − p) at the 0.5 cut, and a positive–negative pair is ordered
/// rightly with the probability its scores imply, so accuracy and ROC AUC can be expected from the probabilities
/// alone, before (or without) labels.
/// </summary>
/// <remarks>
/// Valid while P(y | x) stays what the model learned (covariate shift: the inputs move, the probabilities stay
/// calibrated) and blind when it changes (concept shift: the same probabilities, other outcomes), which only labels
/// reveal. docs/monitoring.md shows both on the benchmark.
/// </remarks>
public static class ConfidenceBasedEstimate
{
    /// <summary>The expected accuracy of the 0.5 cut: the mean of max(p, 1 − p); NaN when no probability is finite.</summary>
    public static double Accuracy(ReadOnlySpan<float> probabilities)
    {
        double sum = 0;
        var n = 0;
        foreach (var p in probabilities)
        {
            if (!float.IsFinite(p)) continue;
            sum += Confidence(p);
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>The probability that a prediction with positive-class probability <paramref name="p"/> is right at the 0.5 cut.</summary>
    public static double Confidence(double p)
    {
        var clipped = Math.Clamp(p, 0, 1);
        return clipped >= 0.5 ? clipped : 1 - clipped;
    }

    /// <summary>
    /// The expected ROC AUC: Σ over pairs with s_i above s_j of p_i·(1 − p_j), ties counting one half, over
    /// Σp · Σ(1 − p) — the expected share of positive–negative pairs ordered rightly. NaN when fewer than two finite
    /// probabilities, or when one class is impossible. Allocates a sorted copy: it runs once per evaluation.
    /// </summary>
    public static double RocAuc(ReadOnlySpan<float> probabilities)
    {
        var sorted = new double[probabilities.Length];
        var n = 0;
        foreach (var p in probabilities)
        {
            if (float.IsFinite(p)) sorted[n++] = Math.Clamp(p, 0, 1);
        }
        if (n < 2) return double.NaN;
        Array.Sort(sorted, 0, n);
        double negativesBelow = 0, ordered = 0, positives = 0, negatives = 0;
        var start = 0;
        while (start < n)
        {
            var end = start;
            while (end + 1 < n && sorted[end + 1] == sorted[start]) end++;
            double groupPositives = 0, groupNegatives = 0;
            for (var k = start; k <= end; k++)
            {
                groupPositives += sorted[k];
                groupNegatives += 1 - sorted[k];
            }
            // Pairs inside a tie group: each ordered pair (i ≠ j) counts one half; i = j is not a pair.
            double tiedPairs = 0;
            for (var k = start; k <= end; k++) tiedPairs += sorted[k] * (groupNegatives - (1 - sorted[k]));
            ordered += groupPositives * negativesBelow + 0.5 * tiedPairs;
            negativesBelow += groupNegatives;
            positives += groupPositives;
            negatives += groupNegatives;
            start = end + 1;
        }
        // Expected pairs: Σ_i Σ_{j≠i} p_i (1 − p_j).
        double self = 0;
        for (var k = 0; k < n; k++) self += sorted[k] * (1 - sorted[k]);
        var pairs = positives * negatives - self;
        return pairs <= 0 ? double.NaN : ordered / pairs;
    }
}
