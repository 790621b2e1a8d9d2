using System.Globalization;

namespace Cascade.Bench;

/// <summary>Latency samples in microseconds, with the percentiles the report prints.</summary>
internal sealed class Latencies(IEnumerable<double> microseconds)
{
    private readonly double[] _sorted = microseconds.Order().ToArray();

    public int Count => _sorted.Length;

    public double P50 => At(0.50);

    public double P99 => At(0.99);

    public double Max => _sorted.Length == 0 ? 0 : _sorted[^1];

    private double At(double q) => _sorted.Length == 0 ? 0 : _sorted[Math.Min(_sorted.Length - 1, (int)Math.Ceiling(q * _sorted.Length) - 1)];

    public static string Ms(double microseconds) => (microseconds / 1000).ToString("F3", CultureInfo.InvariantCulture);
}
