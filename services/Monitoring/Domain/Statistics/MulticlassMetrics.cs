namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>Multiclass metrics over class probabilities stored row by row (<c>classes</c> per example) and class-index labels.</summary>
public static class MulticlassMetrics
{
    /// <summary>Mean −ln p(true class), probabilities clipped as in <see cref="ClassificationMetrics.ProbabilityClip"/>; NaN when empty.</summary>
    public static double LogLoss(ReadOnlySpan<double> probabilities, int classes, ReadOnlySpan<double> labels)
    {
        var rows = Rows(probabilities, classes, labels);
        if (rows == 0) return double.NaN;
        var sum = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var p = ProbabilityOfLabel(probabilities.Slice(r * classes, classes), labels[r]);
            sum -= Math.Log(Math.Clamp(p, ClassificationMetrics.ProbabilityClip, 1 - ClassificationMetrics.ProbabilityClip));
        }
        return sum / rows;
    }

    /// <summary>Share of examples whose most probable class is the label (the first class wins ties); NaN when empty.</summary>
    public static double Accuracy(ReadOnlySpan<double> probabilities, int classes, ReadOnlySpan<double> labels)
    {
        var rows = Rows(probabilities, classes, labels);
        if (rows == 0) return double.NaN;
        var correct = 0;
        for (var r = 0; r < rows; r++)
        {
            if (ArgMax(probabilities.Slice(r * classes, classes)) == (int)Math.Round(labels[r])) correct++;
        }
        return (double)correct / rows;
    }

    /// <summary>The probability given to the labelled class; 0 when the label names no class.</summary>
    public static double ProbabilityOfLabel(ReadOnlySpan<double> row, double label)
    {
        var index = (int)Math.Round(label);
        return index >= 0 && index < row.Length ? row[index] : 0;
    }

    /// <summary>The index of the largest value (the first of equals).</summary>
    public static int ArgMax(ReadOnlySpan<double> row)
    {
        var best = 0;
        for (var k = 1; k < row.Length; k++)
        {
            if (row[k] > row[best]) best = k;
        }
        return best;
    }

    private static int Rows(ReadOnlySpan<double> probabilities, int classes, ReadOnlySpan<double> labels)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A multiclass model has at least 2 classes.");
        if (probabilities.Length != classes * labels.Length) throw new ArgumentException("One row of class probabilities per label.", nameof(labels));
        return labels.Length;
    }
}
