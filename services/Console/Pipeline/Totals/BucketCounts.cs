namespace Cascade.WebConsole.Pipeline.Totals;

/// <summary>
/// A histogram as Prometheus exposes it: cumulative counts of observations at or below each upper bound, the last bound
/// <c>+Inf</c> (so its count is every observation). Quantiles are estimated as PromQL's <c>histogram_quantile</c> does.
/// </summary>
public sealed class BucketCounts
{
    private readonly (double UpperBound, double Count)[] _buckets;

    public BucketCounts(IReadOnlyDictionary<double, double> countsByUpperBound)
    {
        _buckets = countsByUpperBound.OrderBy(b => b.Key).Select(b => (b.Key, b.Value)).ToArray();
    }

    /// <summary>The upper bounds, ascending.</summary>
    public IEnumerable<double> UpperBounds => _buckets.Select(b => b.UpperBound);

    /// <summary>Observations in all (the <c>+Inf</c> bucket's count; 0 when the histogram lacks it).</summary>
    public double Total => _buckets.Length > 0 && double.IsPositiveInfinity(_buckets[^1].UpperBound) ? _buckets[^1].Count : 0;

    /// <summary>The cumulative count at <paramref name="upperBound"/>, or null when the histogram has no such bucket.</summary>
    public double? CountAt(double upperBound)
    {
        foreach (var (bound, count) in _buckets)
        {
            if (bound.Equals(upperBound)) return count;
        }
        return null;
    }

    /// <summary>
    /// The observations made after <paramref name="earlier"/> was read, bucket by bucket (a bucket <paramref name="earlier"/>
    /// lacks counts from zero).
    /// </summary>
    public BucketCounts Since(BucketCounts earlier) =>
        new(_buckets.ToDictionary(b => b.UpperBound, b => Math.Max(0, b.Count - (earlier.CountAt(b.UpperBound) ?? 0))));

    /// <summary>
    /// The <paramref name="q"/>-quantile (0 to 1): found in the first bucket whose cumulative count reaches
    /// <c>q × Total</c> and linearly interpolated within it (its lower bound is the previous bucket's upper bound, 0 for
    /// the first); in the <c>+Inf</c> bucket, the highest finite bound. 0 when nothing was observed.
    /// </summary>
    public double Quantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        var total = Total;
        if (total <= 0) return 0;
        var rank = q * total;
        double lower = 0, below = 0;
        foreach (var (bound, count) in _buckets)
        {
            if (count >= rank && count > below)
            {
                if (double.IsPositiveInfinity(bound)) return lower;
                return lower + (bound - lower) * (rank - below) / (count - below);
            }
            lower = bound;
            below = count;
        }
        return lower;
    }
}
