namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>Prepares samples for the sample-based statistics (Kolmogorov–Smirnov, Wasserstein), without allocating.</summary>
public static class Samples
{
    /// <summary>
    /// Copies the present (non-NaN) values into <paramref name="destination"/>, sorts them ascending and returns how many
    /// there are; <paramref name="destination"/> must be at least as long as <paramref name="values"/>.
    /// </summary>
    public static int SortPresent(ReadOnlySpan<double> values, Span<double> destination)
    {
        var count = 0;
        foreach (var value in values)
        {
            if (!double.IsNaN(value)) destination[count++] = value;
        }
        destination[..count].Sort();
        return count;
    }

    /// <summary>The single-precision overload: values widen exactly to double.</summary>
    public static int SortPresent(ReadOnlySpan<float> values, Span<double> destination)
    {
        var count = 0;
        foreach (var value in values)
        {
            if (!float.IsNaN(value)) destination[count++] = value;
        }
        destination[..count].Sort();
        return count;
    }
}
