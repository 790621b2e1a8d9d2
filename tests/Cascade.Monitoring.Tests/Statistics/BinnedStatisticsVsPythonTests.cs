using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Statistics;

/// <summary>Binning, PSI (against the textbook formula in numpy) and Jensen–Shannon (against scipy) on the same data.</summary>
public class BinnedStatisticsVsPythonTests
{
    private const string Script = Python.Prelude + """
        from scipy.spatial import distance
        out = []
        for case in data:
            edges = np.array(case["edges"], dtype=float)
            def counts(values):
                x = arr(values)
                present = x[~np.isnan(x)]
                c = np.bincount(np.searchsorted(edges, present, side="right"), minlength=len(edges) + 1)
                return np.append(c, np.isnan(x).sum()).astype(float)
            e, a = counts(case["reference"]), counts(case["current"])
            eps = case["eps"]
            pe, pa = np.maximum(e / e.sum(), eps), np.maximum(a / a.sum(), eps)
            psi = float(np.sum((pa - pe) * np.log(pa / pe)))
            out.append({"expected": e.tolist(), "actual": a.tolist(), "psi": psi, "js": float(distance.jensenshannon(e, a, base=2))})
        print(json.dumps(out))
        """;

    private sealed record Case(string Name, double[] Edges, double[] Reference, double[] Current);

    private static IReadOnlyList<Case> Cases()
    {
        var draw = new Draw(11);
        double[] WithMissing(double[] values, double rate) => values.Select(v => draw.Bernoulli(rate) ? double.NaN : v).ToArray();
        var reference = draw.Normals(5000);
        var deciles = Enumerable.Range(1, 9).Select(b => StatisticsCases.Sorted(reference)[b * 4999 / 10]).ToArray();
        return
        [
            new("no_shift", deciles, reference, draw.Normals(500)),
            new("mean_shift", deciles, reference, draw.Normals(500, 0.5)),
            new("outside_training_range", deciles, reference, draw.Normals(500, 6)),
            new("missing_appears", deciles, reference, WithMissing(draw.Normals(500), 0.2)),
            new("missing_on_both_sides", deciles, WithMissing(reference, 0.05), WithMissing(draw.Normals(400), 0.1)),
            new("values_on_edges", [0, 1, 2], [0, 0, 1, 1, 2, 2, 3, -1], [0, 1, 1, 1, 2, 2, 2, 2]),
            new("constant_feature", [4], Enumerable.Repeat(4.0, 100).ToArray(), Enumerable.Repeat(4.0, 40).Concat([5.0, 3.0]).ToArray()),
            new("all_missing_window", deciles, reference, Enumerable.Repeat(double.NaN, 300).ToArray()),
        ];
    }

    [Fact]
    public void Psi_and_jensen_shannon_match_the_python_reference_on_reference_bins()
    {
        var cases = Cases();
        var expected = Python.Run(Script, cases.Select(c => new
        {
            edges = c.Edges,
            reference = Python.Nullable(c.Reference),
            current = Python.Nullable(c.Current),
            eps = PopulationStabilityIndex.DefaultEpsilon,
        }));

        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var e = expected[i];
            var referenceCounts = new long[Binning.BinCount(c.Edges.Length)];
            var currentCounts = new long[referenceCounts.Length];
            Binning.Count(c.Reference, c.Edges, referenceCounts);
            Binning.Count(c.Current, c.Edges, currentCounts);

            referenceCounts.Select(v => (double)v).Should().Equal(e.GetProperty("expected").EnumerateArray().Select(v => v.GetDouble()), $"binning of {c.Name}");
            currentCounts.Select(v => (double)v).Should().Equal(e.GetProperty("actual").EnumerateArray().Select(v => v.GetDouble()), $"binning of {c.Name}");

            var psi = PopulationStabilityIndex.Compute(referenceCounts, currentCounts);
            psi.Should().BeApproximately(e.GetProperty("psi").GetDouble(), 1e-12 * Math.Max(1, psi), $"PSI of {c.Name}");
            var js = JensenShannon.Distance(referenceCounts, currentCounts);
            js.Should().BeApproximately(e.GetProperty("js").GetDouble(), 1e-12, $"JS of {c.Name}");
            js.Should().BeInRange(0, 1);
        }
    }
}
