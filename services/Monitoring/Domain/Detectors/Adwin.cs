using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Detectors;

/// <summary>
/// ADWIN2 (Bifet &amp; Gavaldà, "Learning from Time-Changing Data with Adaptive Windowing", SDM 2007): keeps the longest
/// recent window whose mean is consistent, and drops its older part when two sub-windows differ significantly.
/// </summary>
/// <remarks>
/// <para>The window is an exponential histogram: row i holds buckets of 2ⁱ values (their sum and their sum of squared
/// deviations); when a row reaches M + 1 buckets its two oldest merge into one bucket of the next row. W values thus
/// take O(M·log W) memory, and a cut is only searched at bucket boundaries.</para>
/// <para>Every <see cref="AdwinOptions.Clock"/> updates, each split of the window into an older part W₀ (n₀ values, mean
/// μ₀) and a newer part W₁ (n₁, μ₁) is tested, oldest split first. With σ² the window's variance, δ' = ln(2·ln W / δ) and
/// m = 1/(n₀ − L + 1) + 1/(n₁ − L + 1) (L the minimum sub-window length), the split is a cut when
/// |μ₀ − μ₁| &gt; ε = √(2·m·σ²·δ') + ⅔·m·δ', a Bernstein-type bound that holds for values in [0, 1]. On a cut the
/// oldest bucket is dropped and the search restarts, so one update can shed several buckets.</para>
/// <para>Variances combine exactly (Chan et al.): merging two parts of n₁, n₂ values with means μ₁, μ₂ adds
/// n₁n₂(μ₁ − μ₂)²/(n₁ + n₂) to the sum of their squared deviations.</para>
/// </remarks>
public sealed class Adwin : IDriftDetector
{
    private readonly AdwinOptions options;
    private readonly List<AdwinBucketRow> rows = [];
    private double total;
    private double squaredDeviations;

    /// <summary>Creates an empty detector.</summary>
    public Adwin(AdwinOptions options)
    {
        this.options = options;
        Reset();
    }

    /// <inheritdoc />
    public string Name => "adwin";

    /// <inheritdoc />
    public double Estimation => Width > 0 ? total / Width : 0;

    /// <inheritdoc />
    public long Width { get; private set; }

    /// <summary>The variance of the values in the window.</summary>
    public double Variance => Width > 0 ? Math.Max(squaredDeviations / Width, 0) : 0;

    /// <inheritdoc />
    public long Detections { get; private set; }

    /// <inheritdoc />
    public long Updates { get; private set; }

    /// <inheritdoc />
    public double LastStatistic { get; private set; } = double.NaN;

    /// <inheritdoc />
    public double LastThreshold { get; private set; } = double.NaN;

    /// <inheritdoc />
    public double LastChange { get; private set; } = double.NaN;

    /// <summary>Buckets held, for tests of the memory bound.</summary>
    public int BucketCount => rows.Sum(r => r.Count);

    /// <inheritdoc />
    public bool Update(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "ADWIN needs finite values.");
        Insert(value);
        Compress();
        Updates++;
        if (Updates % options.Clock != 0 || Width <= options.GracePeriod)
        {
            return false;
        }
        return Shrink();
    }

    /// <inheritdoc />
    public void Reset()
    {
        rows.Clear();
        rows.Add(new AdwinBucketRow(options.MaxBucketsPerRow + 1));
        total = 0;
        squaredDeviations = 0;
        Width = 0;
        Detections = 0;
        Updates = 0;
        LastStatistic = LastThreshold = LastChange = double.NaN;
    }

    /// <summary>The detector's full state, for checkpoints.</summary>
    public AdwinState Export() => new()
    {
        Width = Width,
        Total = total,
        SquaredDeviations = squaredDeviations,
        Updates = Updates,
        Detections = Detections,
        LastStatistic = LastStatistic,
        LastThreshold = LastThreshold,
        LastChange = LastChange,
        Rows = rows.Select(r => new AdwinRowState
        {
            Totals = Enumerable.Range(0, r.Count).Select(r.Total).ToArray(),
            Variances = Enumerable.Range(0, r.Count).Select(r.Variance).ToArray(),
        }).ToArray(),
    };

    /// <summary>Restores a state written by <see cref="Export"/> with the same bucket capacity.</summary>
    public void Import(AdwinState state)
    {
        Reset();
        rows.Clear();
        long width = 0;
        for (var i = 0; i < state.Rows.Count; i++)
        {
            var source = state.Rows[i];
            if (source.Totals.Count != source.Variances.Count || source.Totals.Count > options.MaxBucketsPerRow)
            {
                throw new ArgumentException($"Row {i} of the ADWIN state does not fit {options.MaxBucketsPerRow} buckets per row.", nameof(state));
            }
            var row = new AdwinBucketRow(options.MaxBucketsPerRow + 1);
            for (var k = 0; k < source.Totals.Count; k++) row.AddNewest(source.Totals[k], source.Variances[k]);
            rows.Add(row);
            width += source.Totals.Count * (1L << i);
        }
        if (rows.Count == 0) rows.Add(new AdwinBucketRow(options.MaxBucketsPerRow + 1));
        if (width != state.Width) throw new ArgumentException("The ADWIN state's width does not match its buckets.", nameof(state));
        Width = state.Width;
        total = state.Total;
        squaredDeviations = state.SquaredDeviations;
        Updates = state.Updates;
        Detections = state.Detections;
        LastStatistic = state.LastStatistic;
        LastThreshold = state.LastThreshold;
        LastChange = state.LastChange;
    }

    private void Insert(double value)
    {
        Width++;
        if (Width > 1)
        {
            // Welford's update of the sum of squared deviations, in terms of the mean before this value.
            var previousMean = total / (Width - 1);
            squaredDeviations += (Width - 1) * (value - previousMean) * (value - previousMean) / Width;
        }
        total += value;
        rows[0].AddNewest(value, 0);
    }

    private void Compress()
    {
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.Count <= options.MaxBucketsPerRow) break;
            if (i + 1 == rows.Count) rows.Add(new AdwinBucketRow(options.MaxBucketsPerRow + 1));
            double size = 1L << i;
            var (t0, t1) = (row.Total(0), row.Total(1));
            var meanGap = t0 / size - t1 / size;
            var merged = row.Variance(0) + row.Variance(1) + size * size * meanGap * meanGap / (2 * size);
            rows[i + 1].AddNewest(t0 + t1, merged);
            row.RemoveOldest(2);
        }
    }

    private bool Shrink()
    {
        var detected = false;
        var cut = true;
        while (cut)
        {
            cut = false;
            long n0 = 0;
            var s0 = 0.0;
            for (var i = rows.Count - 1; i >= 0 && !cut; i--)
            {
                var row = rows[i];
                var size = 1L << i;
                for (var k = 0; k < row.Count; k++)
                {
                    // The newest bucket always stays on the recent side.
                    if (i == 0 && k == row.Count - 1) break;
                    n0 += size;
                    s0 += row.Total(k);
                    var n1 = Width - n0;
                    var s1 = total - s0;
                    if (n0 < options.MinSubwindowLength || n1 < options.MinSubwindowLength) continue;
                    var gap = s1 / n1 - s0 / n0;
                    var epsilon = CutThreshold(n0, n1);
                    if (Math.Abs(gap) <= epsilon) continue;
                    if (!detected)
                    {
                        LastStatistic = Math.Abs(gap);
                        LastThreshold = epsilon;
                        LastChange = gap;
                    }
                    detected = true;
                    cut = true;
                    DropOldestBucket();
                    break;
                }
            }
        }
        if (detected) Detections++;
        return detected;
    }

    private double CutThreshold(long n0, long n1)
    {
        var deltaPrime = Math.Log(2 * Math.Log(Width) / options.Delta);
        var m = 1.0 / (n0 - options.MinSubwindowLength + 1) + 1.0 / (n1 - options.MinSubwindowLength + 1);
        return Math.Sqrt(2 * m * Variance * deltaPrime) + 2.0 / 3.0 * m * deltaPrime;
    }

    private void DropOldestBucket()
    {
        var last = rows.Count - 1;
        var row = rows[last];
        double size = 1L << last;
        var bucketTotal = row.Total(0);
        var bucketDeviations = row.Variance(0);
        Width -= 1L << last;
        total -= bucketTotal;
        var gap = bucketTotal / size - total / Width;
        squaredDeviations = Math.Max(0, squaredDeviations - bucketDeviations - size * Width * gap * gap / (size + Width));
        row.RemoveOldest(1);
        if (row.Count == 0 && last > 0) rows.RemoveAt(last);
    }
}
