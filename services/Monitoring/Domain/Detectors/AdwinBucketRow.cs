namespace Cascade.Monitoring.Domain.Detectors;

/// <summary>One row of ADWIN's exponential histogram: up to M + 1 buckets of equal size, oldest first, in a ring.</summary>
internal sealed class AdwinBucketRow(int capacity)
{
    private readonly double[] totals = new double[capacity];
    private readonly double[] variances = new double[capacity];
    private int start;

    public int Count { get; private set; }

    /// <summary>Sum of the values in the k-th oldest bucket.</summary>
    public double Total(int k) => totals[(start + k) % totals.Length];

    /// <summary>Sum of squared deviations from the bucket's own mean in the k-th oldest bucket.</summary>
    public double Variance(int k) => variances[(start + k) % variances.Length];

    public void AddNewest(double total, double variance)
    {
        if (Count == totals.Length) throw new InvalidOperationException("The bucket row is full; compress first.");
        var index = (start + Count) % totals.Length;
        totals[index] = total;
        variances[index] = variance;
        Count++;
    }

    public void RemoveOldest(int buckets)
    {
        if (buckets > Count) throw new InvalidOperationException("The bucket row holds fewer buckets.");
        start = (start + buckets) % totals.Length;
        Count -= buckets;
    }
}
