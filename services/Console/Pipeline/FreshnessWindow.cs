namespace Cascade.WebConsole.Pipeline;

/// <summary>The last <c>capacity</c> freshness values of one feature view (a ring), and their percentiles.</summary>
internal sealed class FreshnessWindow(int capacity)
{
    private readonly double[] _values = new double[capacity];
    private readonly Lock _gate = new();
    private long _count;

    public void Add(double milliseconds)
    {
        lock (_gate) _values[_count++ % _values.Length] = milliseconds;
    }

    /// <summary>Median and 99th percentile (nearest rank) of the values held, and how many there are.</summary>
    public (double P50, double P99, long Samples) Percentiles()
    {
        double[] held;
        lock (_gate) held = _values[..(int)Math.Min(_count, _values.Length)];
        if (held.Length == 0) return (0, 0, 0);
        Array.Sort(held);
        double At(double q) => held[Math.Clamp((int)Math.Ceiling(q * held.Length) - 1, 0, held.Length - 1)];
        return (At(0.50), At(0.99), held.Length);
    }
}
