using Cascade.Ml.Artifacts;

namespace Cascade.Monitoring.Tests.Fixtures;

/// <summary>
/// Builds feature profiles the way training does (Cascade.Ml's ReferenceProfiler, which this project does not
/// reference): deciles as inner edges without repeats, counts per bin, NaN as missing, sample std, 1,000 evenly spaced values.
/// </summary>
internal static class Profiler
{
    public static DistributionProfile Profile(string name, IReadOnlyList<float> values)
    {
        var present = values.Where(v => !float.IsNaN(v)).ToArray();
        var sorted = present.OrderBy(v => v).ToArray();
        var edges = new List<double>();
        for (var b = 1; b < 10 && sorted.Length > 0; b++)
        {
            double edge = sorted[(int)((long)b * (sorted.Length - 1) / 10)];
            if (edges.Count == 0 || edge > edges[^1]) edges.Add(edge);
        }
        var counts = new long[edges.Count + 1];
        foreach (var v in present)
        {
            var bin = 0;
            while (bin < edges.Count && v >= edges[bin]) bin++;
            counts[bin]++;
        }
        var n = present.Length;
        var mean = n > 0 ? present.Average(v => (double)v) : double.NaN;
        var std = n > 1 ? Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / (n - 1)) : 0;
        var take = Math.Min(1000, n);
        var sample = Enumerable.Range(0, take).Select(i => present[(int)((long)i * n / take)]).ToArray();
        return new DistributionProfile
        {
            Name = name, Count = values.Count, MissingCount = values.Count - n, BinEdges = edges, BinCounts = counts, Mean = mean, Std = std,
            Min = n > 0 ? sorted[0] : double.NaN, Max = n > 0 ? sorted[^1] : double.NaN, Sample = sample,
        };
    }
}
