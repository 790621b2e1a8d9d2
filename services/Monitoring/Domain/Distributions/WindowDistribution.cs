using Cascade.Ml.Artifacts;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Statistics;

namespace Cascade.Monitoring.Domain.Distributions;

/// <summary>
/// One variable (the prediction or a feature) of the watched version: the current window binned by the reference
/// profile's own edges, beside the reference's shares of the same bins.
/// </summary>
/// <param name="Edges">The profile's inner edges: k edges make k+1 bins, the end bins open, so values beyond the training range land in them.</param>
/// <param name="ReferenceShares">Per bin, the share of the training rows (missing ones included in the whole).</param>
/// <param name="CurrentShares">Per bin, the share of the window's values (missing ones included in the whole).</param>
/// <param name="Window">The window's bounds; <see cref="WindowBounds.Size"/> is 0 while it is empty.</param>
public sealed record WindowDistribution(
    int Version,
    string Feature,
    bool IsPrediction,
    IReadOnlyList<double> Edges,
    IReadOnlyList<double> ReferenceShares,
    IReadOnlyList<double> CurrentShares,
    double ReferenceMissingShare,
    double CurrentMissingShare,
    long ReferenceCount,
    WindowBounds Window)
{
    /// <summary>
    /// Bins <paramref name="values"/> by <paramref name="reference"/>'s inner edges (not the range-closed edges the drift
    /// tests use: an operator reads the training deciles, and the open end bins already hold what lies beyond them).
    /// </summary>
    public static WindowDistribution Of(int version, string feature, bool isPrediction, DistributionProfile reference, ReadOnlySpan<float> values, WindowBounds window)
    {
        var edges = reference.BinEdges.ToArray();
        var counts = new long[Binning.BinCount(edges.Length)];
        Binning.Count(values, edges, counts);
        var missingBin = counts.Length - 1;
        var referenceShares = reference.BinCounts.Select(c => Share(c, reference.Count)).ToArray();
        var windowCount = values.Length;
        var currentShares = counts[..missingBin].Select(c => Share(c, windowCount)).ToArray();
        return new WindowDistribution(version, feature, isPrediction, edges, referenceShares, currentShares,
            Share(reference.MissingCount, reference.Count), Share(counts[missingBin], windowCount), reference.Count, window);
    }

    // An empty window has no shares: zeros draw as no bars rather than NaN.
    private static double Share(long count, long total) => total == 0 ? 0 : (double)count / total;
}
