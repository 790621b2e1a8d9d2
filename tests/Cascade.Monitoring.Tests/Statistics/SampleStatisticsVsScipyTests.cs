using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Statistics;

/// <summary>Kolmogorov–Smirnov and Wasserstein against scipy on the same samples.</summary>
public class SampleStatisticsVsScipyTests
{
    private const string Script = Python.Prelude + """
        from scipy import stats, special
        out = []
        for case in data:
            a, b = arr(case["a"]), arr(case["b"])
            ks = stats.ks_2samp(a, b, method="asymp")
            en = len(a) * len(b) / (len(a) + len(b))
            exact = stats.ks_2samp(a, b, method="exact").pvalue if case["continuous"] else None
            out.append({"d": float(ks.statistic), "kolmogorov": float(special.kolmogorov(np.sqrt(en) * ks.statistic)),
                        "exact": exact, "w": float(stats.wasserstein_distance(a, b))})
        print(json.dumps(out))
        """;

    [Fact]
    public void Ks_statistic_p_value_and_wasserstein_match_scipy()
    {
        var cases = StatisticsCases.All();
        var expected = Python.Run(Script, cases.Select(c => new { a = c.A, b = c.B, continuous = c.Continuous }));

        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var e = expected[i];
            var (a, b) = (StatisticsCases.Sorted(c.A), StatisticsCases.Sorted(c.B));

            var ks = KolmogorovSmirnov.TwoSample(a, b);
            ks.Statistic.Should().Be(e.GetProperty("d").GetDouble(), $"D of {c.Name} is computed as scipy does, bit for bit");
            ks.PValue.Should().BeApproximately(e.GetProperty("kolmogorov").GetDouble(), 1e-12 + 1e-10 * ks.PValue, $"p of {c.Name}");
            KolmogorovSmirnov.TwoSample(b, a).Should().Be(ks, "the test is symmetric");

            var w = Wasserstein.Distance(a, b);
            var expectedW = e.GetProperty("w").GetDouble();
            w.Should().BeApproximately(expectedW, 1e-12 * Math.Max(1, expectedW), $"W1 of {c.Name}");
            Wasserstein.Distance(b, a).Should().BeApproximately(w, 1e-12 * Math.Max(1, w));
        }
    }

    [Fact]
    public void Asymptotic_ks_p_value_is_conservative_and_close_to_the_exact_one_for_continuous_samples()
    {
        var cases = StatisticsCases.All().Where(c => c.Continuous && c.A.Length >= 50).ToArray();
        var expected = Python.Run(Script, cases.Select(c => new { a = c.A, b = c.B, continuous = true }));

        for (var i = 0; i < cases.Length; i++)
        {
            var exact = expected[i].GetProperty("exact").GetDouble();
            var ours = KolmogorovSmirnov.TwoSample(StatisticsCases.Sorted(cases[i].A), StatisticsCases.Sorted(cases[i].B)).PValue;
            if (exact < 1e-300) continue;
            ours.Should().BeGreaterThanOrEqualTo(exact * (1 - 1e-9), $"{cases[i].Name}: errors should go toward fewer alarms");
            ours.Should().BeLessThan(Math.Max(exact * 1.6, exact + 0.02), $"{cases[i].Name}: the limit distribution is a close approximation");
        }
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.3, 0.9999906941986655)]
    [InlineData(0.8, 0.5441424115741981)]
    [InlineData(1.0, 0.26999967167735456)]
    [InlineData(1.18, 0.1234538094297657)]
    [InlineData(1.36, 0.049485876755377876)]
    [InlineData(2.0, 0.0006709252557796953)]
    [InlineData(4.0, 2.532833109818835e-14)]
    public void Kolmogorov_survival_function_matches_scipy_special_kolmogorov(double lambda, double expected)
    {
        KolmogorovSmirnov.KolmogorovSurvival(lambda).Should().BeApproximately(expected, 1e-14 + 1e-11 * expected);
    }
}
