using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Statistics;

/// <summary>
/// The chi-squared test of homogeneity (against <c>scipy.stats.chi2_contingency(correction=False)</c>), its survival
/// function (against <c>scipy.stats.chi2.sf</c>, far into the tail) and Jensen–Shannon over categories (against
/// <c>scipy.spatial.distance.jensenshannon</c>).
/// </summary>
public class CategoricalStatisticsVsScipyTests
{
    private const string Script = Python.Prelude + """
        from scipy import stats
        from scipy.spatial import distance
        tests = []
        for case in data["tables"]:
            r, w = np.array(case["reference"], dtype=float), np.array(case["window"], dtype=float)
            keep = (r + w) > 0
            table = np.vstack([r[keep], w[keep]])
            statistic, p, dof, _ = stats.chi2_contingency(table, correction=False)
            tests.append({"statistic": float(statistic), "p": float(p), "dof": int(dof), "js": float(distance.jensenshannon(r, w, base=2))})
        sf = [float(stats.chi2.sf(x, k)) for x, k in data["tail"]]
        print(json.dumps({"tests": tests, "sf": sf}))
        """;

    private sealed record Table(string Name, long[] Reference, long[] Window);

    private static readonly Table[] Tables =
    [
        new("same_frequencies", [5000, 3000, 2000, 0], [251, 149, 100, 0]),
        new("moderate_shift", [5000, 3000, 2000, 40], [200, 160, 130, 10]),
        new("strong_shift", [5000, 3000, 2000, 40], [100, 150, 250, 0]),
        new("unseen_values_appear", [9000, 1000, 0], [300, 50, 150]),
        new("two_categories", [700, 300], [320, 180]),
        new("many_categories", Enumerable.Range(1, 40).Select(i => (long)(1000 / i)).ToArray(), Enumerable.Range(1, 40).Select(i => (long)(100 / Math.Sqrt(i))).ToArray()),
        new("empty_category_on_both_sides", [100, 0, 50, 0, 25], [10, 0, 20, 0, 5]),
    ];

    private static readonly (double X, int K)[] Tail = [(0.5, 1), (3.84, 1), (10, 3), (50, 3), (100, 9), (400, 4), (1500, 20), (30, 60), (700, 200), (1e-3, 2), (2000, 999)];

    [Fact]
    public void Chi_squared_homogeneity_and_jensen_shannon_match_scipy()
    {
        var expected = Python.Run(Script, new { tables = Tables.Select(t => new { reference = t.Reference, window = t.Window }), tail = Tail.Select(t => new object[] { t.X, t.K }) });

        var tests = expected.GetProperty("tests");
        for (var i = 0; i < Tables.Length; i++)
        {
            var table = Tables[i];
            var scipy = tests[i];
            var chi = ChiSquared.Homogeneity(table.Reference, table.Window);
            chi.DegreesOfFreedom.Should().Be(scipy.GetProperty("dof").GetInt32(), table.Name);
            chi.Statistic.Should().BeApproximately(scipy.GetProperty("statistic").GetDouble(), 1e-9 * Math.Max(1, chi.Statistic), $"chi-squared of {table.Name}");
            var p = scipy.GetProperty("p").GetDouble();
            chi.PValue.Should().BeApproximately(p, 1e-9 * p + 1e-300, $"p-value of {table.Name}");
            JensenShannon.Distance(table.Reference, table.Window).Should().BeApproximately(scipy.GetProperty("js").GetDouble(), 1e-12, $"JS of {table.Name}");
        }
        var sf = expected.GetProperty("sf");
        for (var i = 0; i < Tail.Length; i++)
        {
            var (x, k) = Tail[i];
            var p = sf[i].GetDouble();
            ChiSquared.Survival(x, k).Should().BeApproximately(p, 1e-9 * p + 1e-300, $"chi2.sf({x}, {k})");
        }
    }

    [Fact]
    public void The_test_is_undefined_without_two_categories_or_without_rows_on_a_side()
    {
        double.IsNaN(ChiSquared.Homogeneity([10, 0], [5, 0]).PValue).Should().BeTrue("one category occurs: nothing to compare");
        double.IsNaN(ChiSquared.Homogeneity([10, 5], [0, 0]).PValue).Should().BeTrue("an empty window");
        ChiSquared.Homogeneity([10, 5], [20, 10]).PValue.Should().BeApproximately(1, 1e-12, "identical frequencies");
    }

    [Fact]
    public void Rare_categories_are_pooled_until_every_expected_count_reaches_the_minimum()
    {
        // Window of 100 rows: categories with reference share under 5% would expect fewer than 5.
        long[] reference = [600, 300, 30, 20, 50, 0];
        long[] window = [60, 25, 2, 3, 4, 6];
        Span<long> pooledReference = stackalloc long[6], pooledWindow = stackalloc long[6];

        var kept = CategoryPooling.Pool(reference, window, 5, pooledReference, pooledWindow);

        kept.Should().Be(4, "600, 300 and 50 stay; 30 + 20 + 0 (an unseen value's category) pool into one expecting 5");
        pooledReference[..kept].ToArray().Should().Equal(600, 300, 50, 50);
        pooledWindow[..kept].ToArray().Should().Equal(60, 25, 4, 11);
        CategoryPooling.Pool(reference, window, 0, pooledReference, pooledWindow).Should().Be(6, "a minimum of 0 pools nothing");
    }
}
