using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Statistics;

/// <summary>The one-sided two-proportion z-test (a segment's error rate against its baseline's) against scipy's normal tail.</summary>
public class TwoProportionsVsScipyTests
{
    private const string Script = Python.Prelude + """
        from scipy import stats
        out = []
        for e1, n1, e2, n2 in data:
            pooled = (e1 + e2) / (n1 + n2)
            z = (e2 / n2 - e1 / n1) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
            out.append(float(stats.norm.sf(z)))
        print(json.dumps(out))
        """;

    [Fact]
    public void The_rise_p_value_matches_scipy()
    {
        // A rise, a fall, no change, a tiny and a huge rise, unequal sizes.
        long[][] cases = [[20, 250, 40, 250], [40, 250, 20, 250], [30, 250, 30, 250], [18, 250, 19, 250], [17, 250, 230, 250], [100, 1000, 45, 250], [3, 60, 25, 700]];
        var expected = Python.Run(Script, cases);

        for (var i = 0; i < cases.Length; i++)
        {
            var (e1, n1, e2, n2) = (cases[i][0], cases[i][1], cases[i][2], cases[i][3]);
            var p = expected[i].GetDouble();
            TwoProportions.RiseP(e1, n1, e2, n2).Should().BeApproximately(p, 1e-12 + 1e-9 * p, $"{e2}/{n2} against {e1}/{n1}");
        }
    }

    [Fact]
    public void Nothing_to_test_gives_no_evidence()
    {
        TwoProportions.RiseP(0, 250, 0, 250).Should().Be(1, "no errors anywhere");
        TwoProportions.RiseP(250, 250, 250, 250).Should().Be(1, "only errors");
        TwoProportions.RiseP(3, 250, 3, 0).Should().Be(double.NaN);
    }
}
