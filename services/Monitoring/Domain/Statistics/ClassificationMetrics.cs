namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>Binary classification metrics over scores (probabilities of the positive class) and 0/1 labels.</summary>
/// <remarks>Labels at or above 0.5 count as positive, so labels given as booleans, 0/1 integers or probabilities all work.</remarks>
public static class ClassificationMetrics
{
    /// <summary>Probabilities are clipped to [ε, 1 − ε] so a confidently wrong prediction costs a large but finite loss.</summary>
    public const double ProbabilityClip = 1e-15;

    /// <summary>Mean negative log-likelihood −[y·ln p + (1 − y)·ln(1 − p)]; NaN when empty.</summary>
    public static double LogLoss(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        CheckLengths(scores, labels);
        if (scores.IsEmpty) return double.NaN;
        var sum = 0.0;
        for (var i = 0; i < scores.Length; i++)
        {
            var p = Math.Clamp(scores[i], ProbabilityClip, 1 - ProbabilityClip);
            sum -= IsPositive(labels[i]) ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / scores.Length;
    }

    /// <summary>Share of examples whose score falls on the label's side of 0.5; NaN when empty.</summary>
    public static double Accuracy(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        CheckLengths(scores, labels);
        if (scores.IsEmpty) return double.NaN;
        var correct = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if ((scores[i] >= 0.5) == IsPositive(labels[i])) correct++;
        }
        return (double)correct / scores.Length;
    }

    /// <summary>Area under the ROC curve; NaN unless both classes occur.</summary>
    /// <remarks>
    /// The Mann–Whitney form: AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊·n₋), where R₊ is the sum of the positives' ranks among
    /// all scores and tied scores share their average rank (a tie counts one half), as <c>sklearn.metrics.roc_auc_score</c>.
    /// Allocates one index array for the sort; it runs on health queries, not per prediction.
    /// </remarks>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        CheckLengths(scores, labels);
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double positives = 0, rankSum = 0;
        var start = 0;
        while (start < keys.Length)
        {
            var end = start;
            while (end + 1 < keys.Length && keys[end + 1] == keys[start]) end++;
            // Ranks are 1-based; the tie group start..end shares the average of its ranks.
            var averageRank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++)
            {
                if (IsPositive(labels[order[k]]))
                {
                    positives++;
                    rankSum += averageRank;
                }
            }
            start = end + 1;
        }
        var negatives = keys.Length - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }

    /// <summary>Whether a label counts as the positive class.</summary>
    public static bool IsPositive(double label) => label >= 0.5;

    private static void CheckLengths(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        if (scores.Length != labels.Length) throw new ArgumentException("One label per score.", nameof(labels));
    }
}
