namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>Regression metrics over predictions and targets.</summary>
public static class RegressionMetrics
{
    /// <summary>Root mean squared error √(Σ(ŷ − y)² / n); NaN when empty.</summary>
    public static double Rmse(ReadOnlySpan<double> predictions, ReadOnlySpan<double> targets)
    {
        CheckLengths(predictions, targets);
        if (predictions.IsEmpty) return double.NaN;
        var sum = 0.0;
        for (var i = 0; i < predictions.Length; i++)
        {
            var error = predictions[i] - targets[i];
            sum += error * error;
        }
        return Math.Sqrt(sum / predictions.Length);
    }

    /// <summary>Mean absolute error Σ|ŷ − y| / n; NaN when empty.</summary>
    public static double Mae(ReadOnlySpan<double> predictions, ReadOnlySpan<double> targets)
    {
        CheckLengths(predictions, targets);
        if (predictions.IsEmpty) return double.NaN;
        var sum = 0.0;
        for (var i = 0; i < predictions.Length; i++)
        {
            sum += Math.Abs(predictions[i] - targets[i]);
        }
        return sum / predictions.Length;
    }

    private static void CheckLengths(ReadOnlySpan<double> predictions, ReadOnlySpan<double> targets)
    {
        if (predictions.Length != targets.Length) throw new ArgumentException("One target per prediction.", nameof(targets));
    }
}
