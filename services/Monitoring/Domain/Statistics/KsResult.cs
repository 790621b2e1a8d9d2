namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>A Kolmogorov–Smirnov statistic D with its p-value; both NaN when a sample was empty.</summary>
public readonly record struct KsResult(double Statistic, double PValue)
{
    /// <summary>The result for an empty sample (for example a window in which the feature was always missing).</summary>
    public static KsResult Undefined { get; } = new(double.NaN, double.NaN);

    /// <summary>Whether both samples had values.</summary>
    public bool IsDefined => !double.IsNaN(Statistic);
}
