using Cascade.Bench.Drift.Detectors;
using Cascade.Bench.Drift.Generators;
using Cascade.Bench.Drift.Streams;
using Cascade.Monitoring.Domain.Detectors;

namespace Cascade.DriftBench.Tests.Detectors;

/// <summary>The baselines as the benchmark runs them: Monitoring's ADWIN and Page–Hinkley with the standard settings.</summary>
public class BaselineDetectorTests
{
    private static IBenchDetector Baseline(string name) => DetectorCatalog.Baselines().Single(d => d.Name == name);

    private static Func<IDriftDetector> Create(string name) => name switch
    {
        "adwin" => () => new Adwin(new() { Delta = 0.002 }),
        _ => () => new PageHinkley(new() { MinInstances = 30, Delta = 0.005, Threshold = 50, Alpha = 0.9999 }),
    };

    /// <summary>Bernoulli errors at rate <paramref name="before"/> then <paramref name="after"/> from <paramref name="at"/>.</summary>
    private static double[] Bernoulli(int length, int at, double before, double after, ulong seed)
    {
        var random = new StreamRandom(seed);
        return Enumerable.Range(0, length).Select(t => random.Bernoulli(t < at ? before : after) ? 1.0 : 0.0).ToArray();
    }

    private static List<int> Detections(IDriftDetector detector, double[] values)
    {
        var hits = new List<int>();
        for (var t = 0; t < values.Length; t++)
        {
            if (!ErrorStreamDetector.Flags(detector, values[t])) continue;
            hits.Add(t);
            detector.Reset();
        }
        return hits;
    }

    [Theory]
    [InlineData("adwin", 1UL)]
    [InlineData("adwin", 2UL)]
    [InlineData("page-hinkley", 1UL)]
    [InlineData("page-hinkley", 2UL)]
    public void A_rise_of_the_error_rate_from_10_to_50_percent_is_detected_soon_and_nothing_before(string name, ulong seed)
    {
        var hits = Detections(Create(name)(), Bernoulli(20_000, 10_000, 0.1, 0.5, seed));

        hits.Should().NotBeEmpty();
        hits[0].Should().BeInRange(10_000, 10_500);
    }

    [Theory]
    [InlineData("adwin")]
    [InlineData("page-hinkley")]
    public void A_fall_of_the_error_rate_is_no_detection(string name)
    {
        Detections(Create(name)(), Bernoulli(20_000, 10_000, 0.4, 0.1, 3)).Should().BeEmpty();
    }

    [Fact]
    public void ADWIN_on_a_known_sequence_cuts_at_its_first_clock_tick_after_the_step()
    {
        // 1,000 zeros then ones: the window's variance is tiny, so a handful of ones already exceed the bound; cuts are
        // only searched every 32 updates (MOA's clock), and 1,024 is the first multiple of 32 past the step.
        var values = Enumerable.Range(0, 2_000).Select(t => t < 1_000 ? 0.0 : 1.0).ToArray();

        var detector = Create("adwin")();
        Detections(detector, values)[0].Should().Be(1_023);
    }

    [Theory]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void Page_Hinkley_decides_as_the_scikit_multiflow_recurrence(ulong seed)
    {
        // scikit-multiflow's PageHinkley.add_element: x̄ += (x − x̄)/n; sum = max(0, α·sum + x − x̄ − δ); change when
        // n ≥ min_instances and sum > λ; after a change it starts afresh.
        var values = Bernoulli(30_000, 15_000, 0.2, 0.45, seed);
        var expected = new List<int>();
        double mean = 0, sum = 0;
        var n = 0;
        for (var t = 0; t < values.Length; t++)
        {
            n++;
            mean += (values[t] - mean) / n;
            sum = Math.Max(0, 0.9999 * sum + values[t] - mean - 0.005);
            if (n < 30 || sum <= 50) continue;
            expected.Add(t);
            (mean, sum, n) = (0, 0, 0);
        }

        expected.Should().NotBeEmpty();
        Detections(Create("page-hinkley")(), values).Should().Equal(expected);
    }

    [Theory]
    [InlineData("adwin")]
    [InlineData("page-hinkley")]
    public void On_Sine1_the_learner_error_stream_reveals_the_reversal(string name)
    {
        var spec = new StreamSpec("Sine1 abrupt", _ => new Sine1(), DriftSchedule.Every(40_000, 20_000, 0));
        var stream = LabelledStream.Generate(spec, 1);

        var run = Baseline(name).Run(stream);

        run.Detections.Should().Contain(d => d >= 20_000 && d < 21_000);
        run.Instances.Should().Be(40_000);
        run.Seconds.Should().BePositive();
    }
}
