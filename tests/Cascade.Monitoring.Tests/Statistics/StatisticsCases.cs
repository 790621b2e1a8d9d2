using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Statistics;

/// <summary>Pairs of samples covering the shapes the statistics meet: shifts, scale changes, ties, tiny and disjoint samples.</summary>
internal static class StatisticsCases
{
    public sealed record Case(string Name, double[] A, double[] B, bool Continuous);

    public static IReadOnlyList<Case> All()
    {
        var draw = new Draw(7);
        var same = draw.Normals(600, 2, 3);
        return
        [
            new("mean_shift", draw.Normals(1000), draw.Normals(500, 0.3), true),
            new("no_shift", draw.Normals(1000, 5, 2), draw.Normals(500, 5, 2), true),
            new("scale_change", draw.Normals(2000, 0, 100), draw.Normals(700, 0, 150), true),
            new("exponential_vs_normal", Enumerable.Range(0, 800).Select(_ => draw.Exponential()).ToArray(), draw.Normals(300, 1, 1), true),
            new("integer_ties", draw.Normals(800, 3, 2).Select(v => Math.Round(v)).ToArray(), draw.Normals(300, 3.5, 2).Select(v => Math.Round(v)).ToArray(), false),
            new("binary", Enumerable.Range(0, 900).Select(_ => draw.Bernoulli(0.3) ? 1.0 : 0.0).ToArray(), Enumerable.Range(0, 400).Select(_ => draw.Bernoulli(0.4) ? 1.0 : 0.0).ToArray(), false),
            new("identical", same, same.ToArray(), true),
            new("tiny", draw.Normals(7), draw.Normals(11, 1), true),
            new("disjoint", Enumerable.Range(0, 50).Select(_ => draw.Uniform(0, 1)).ToArray(), Enumerable.Range(0, 60).Select(_ => draw.Uniform(5, 6)).ToArray(), true),
        ];
    }

    public static double[] Sorted(double[] values)
    {
        var copy = values.ToArray();
        Array.Sort(copy);
        return copy;
    }
}
