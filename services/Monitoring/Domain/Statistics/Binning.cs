namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>Counts values into the bins a reference profile defines, plus an explicit bin for missing values.</summary>
/// <remarks>
/// A profile stores <em>inner</em> edges e(0) &lt; … &lt; e(k−1), which make k+1 value bins: bin 0 holds values below e(0),
/// bin i holds [e(i−1), e(i)), bin k holds values at or above e(k−1). The open outer bins mean a live value outside
/// the training range still lands somewhere. Index k+1 is the missing bin (NaN), so a change in the missing rate
/// moves mass between bins like any other shift and PSI / Jensen–Shannon see it.
/// </remarks>
public static class Binning
{
    /// <summary>Bins (value bins plus the missing bin) for a profile with <paramref name="innerEdgeCount"/> inner edges.</summary>
    public static int BinCount(int innerEdgeCount) => innerEdgeCount + 2;

    /// <summary>The bin of one value: the number of inner edges at or below it, or the missing bin for NaN.</summary>
    public static int BinOf(ReadOnlySpan<double> innerEdges, double value)
    {
        if (double.IsNaN(value))
        {
            return innerEdges.Length + 1;
        }
        // Upper bound: the first edge strictly greater than the value, so a value equal to an edge goes to the bin it opens.
        var low = 0;
        var high = innerEdges.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (value < innerEdges[middle]) high = middle; else low = middle + 1;
        }
        return low;
    }

    /// <summary>Counts <paramref name="values"/> into <paramref name="counts"/> (length <see cref="BinCount"/>), overwriting it.</summary>
    public static void Count(ReadOnlySpan<double> values, ReadOnlySpan<double> innerEdges, Span<long> counts)
    {
        CheckLength(innerEdges, counts);
        counts.Clear();
        foreach (var value in values)
        {
            counts[BinOf(innerEdges, value)]++;
        }
    }

    /// <summary>Counts single-precision values (as models receive them) into <paramref name="counts"/>, overwriting it.</summary>
    public static void Count(ReadOnlySpan<float> values, ReadOnlySpan<double> innerEdges, Span<long> counts)
    {
        CheckLength(innerEdges, counts);
        counts.Clear();
        foreach (var value in values)
        {
            counts[BinOf(innerEdges, value)]++;
        }
    }

    private static void CheckLength(ReadOnlySpan<double> innerEdges, Span<long> counts)
    {
        if (counts.Length != BinCount(innerEdges.Length))
        {
            throw new ArgumentException($"Expected {BinCount(innerEdges.Length)} bins for {innerEdges.Length} inner edges, got {counts.Length}.", nameof(counts));
        }
    }
}
