namespace Cascade.Features.Materialization;

/// <summary>
/// The time from a record's append to the data topic until its features are in the online store, over the most
/// recent records (a ring of the last <see cref="Capacity"/>): what serving's freshness actually is, measured where
/// it happens rather than from a client.
/// </summary>
public sealed class FreshnessTracker
{
    public const int Capacity = 10_000;
    private readonly double[] _ring = new double[Capacity];
    private readonly Lock _gate = new();
    private long _count;

    public void Record(double milliseconds)
    {
        lock (_gate)
        {
            _ring[_count++ % Capacity] = Math.Max(0, milliseconds);
        }
    }

    /// <summary>p50, p99 and max of the recorded freshness (zeros before any record), and how many records they rest on.</summary>
    public (double P50, double P99, double Max, long Samples) Snapshot()
    {
        double[] values;
        lock (_gate)
        {
            values = _ring.AsSpan(0, (int)Math.Min(_count, Capacity)).ToArray();
        }
        if (values.Length == 0) return (0, 0, 0, 0);
        Array.Sort(values);
        double At(double q) => values[Math.Min(values.Length - 1, (int)Math.Ceiling(q * values.Length) - 1)];
        return (At(0.50), At(0.99), values[^1], values.Length);
    }
}
