using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Evaluation;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Evaluation;

public class ThresholdCalibrationTests
{
    private const int Window = 500;

    // Floors out of the way, so that the calibrated quantiles alone decide.
    private static readonly DriftThresholdOptions NoFloors = new()
    {
        PsiWarning = 1e-12, PsiCritical = 1e-12, JensenShannonWarning = 1e-12, JensenShannonCritical = 1e-12,
        NormalizedWassersteinWarning = 1e-12, NormalizedWassersteinCritical = 1e-12, KsPValueWarning = 0.5, KsPValueCritical = 0.5,
    };

    public static TheoryData<string> Distributions => new() { "normal", "exponential" };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Calibrated_thresholds_give_about_the_configured_false_alarm_rate_on_no_drift_windows(string distribution)
    {
        // 20 references of 2,000 rows, 2,500 no-drift windows each, per-test probability 10⁻³: 50 false alarms expected
        // per statistic (Poisson σ ≈ 7). The tolerance (half to twice) covers the tail model's error at this level.
        const double tailProbability = 1e-3;
        const int references = 20, windowsPerReference = 2_500;
        var draw = new Draw(seed: distribution.Length);
        var comparer = new DistributionComparer(NoFloors);
        int psi = 0, js = 0, wasserstein = 0, ks = 0;
        for (var r = 0; r < references; r++)
        {
            var reference = new ReferenceDistribution(Profiler.Profile("x", Values(draw, distribution, 2_000)));
            var limits = ThresholdCalibrator.Calibrate(reference, Window, tailProbability, NoFloors, seed: r);
            for (var w = 0; w < windowsPerReference; w++)
            {
                var drift = comparer.Compare(reference, Values(draw, distribution, Window), limits);
                if (drift.Psi >= limits.PsiWarning) psi++;
                if (drift.JensenShannon >= limits.JensenShannonWarning) js++;
                if (drift.NormalizedWasserstein >= limits.NormalizedWassersteinWarning) wasserstein++;
                if (drift.KsPValue < limits.KsPValueWarning) ks++;
            }
        }

        var expected = tailProbability * references * windowsPerReference;
        psi.Should().BeInRange((int)(expected / 2), (int)(expected * 2), "PSI's calibrated threshold");
        js.Should().BeInRange((int)(expected / 2), (int)(expected * 2), "Jensen-Shannon's calibrated threshold");
        wasserstein.Should().BeInRange((int)(expected / 2), (int)(expected * 2), "Wasserstein's calibrated threshold");
        ks.Should().BeInRange((int)(expected / 2), (int)(expected * 2), "the KS p-value is calibrated analytically");
    }

    [Fact]
    public void A_half_sigma_shift_is_still_a_warning_at_the_default_budget_of_a_twenty_feature_model()
    {
        var options = new DriftThresholdOptions();
        var draw = new Draw(seed: 7);
        var reference = new ReferenceDistribution(Profiler.Profile("x", Values(draw, "normal", 8_000)));
        var limits = ThresholdCalibrator.Calibrate(reference, Window, FalseAlarmBudget.PerTest(options, numericFeatures: 20, categoricalColumns: 0), options, seed: 1);
        var shifted = Values(draw, "normal", Window).Select(v => v + 0.5f).ToArray();

        var drift = new DistributionComparer(options).Compare(reference, shifted, limits);

        drift.Severity.Should().BeOneOf(AlertSeverity.Warning, AlertSeverity.Critical);
    }

    [Fact]
    public void A_small_reference_gets_higher_thresholds_than_a_large_one_and_the_fixed_ones_are_floors()
    {
        var options = new DriftThresholdOptions();
        var draw = new Draw(seed: 3);
        var perTest = FalseAlarmBudget.PerTest(options, numericFeatures: 20, categoricalColumns: 0);
        var small = ThresholdCalibrator.Calibrate(new ReferenceDistribution(Profiler.Profile("p", Values(draw, "normal", 500))), Window, perTest, options, seed: 1);
        var large = ThresholdCalibrator.Calibrate(new ReferenceDistribution(Profiler.Profile("x", Values(draw, "normal", 20_000))), Window, perTest, options, seed: 1);

        small.PsiWarning.Should().BeGreaterThan(large.PsiWarning, "a 500-row reference is noisier than a 20,000-row one");
        small.PsiWarning.Should().BeGreaterThan(options.PsiWarning);
        large.PsiWarning.Should().BeGreaterThanOrEqualTo(options.PsiWarning);
        large.PsiCritical.Should().BeGreaterThanOrEqualTo(options.PsiCritical);
        large.KsPValueWarning.Should().Be(Math.Min(options.KsPValueWarning, perTest));
    }

    [Fact]
    public void Calibration_is_deterministic_for_a_seed()
    {
        var options = new DriftThresholdOptions();
        var reference = new ReferenceDistribution(Profiler.Profile("x", Values(new Draw(seed: 5), "exponential", 3_000)));

        ThresholdCalibrator.Calibrate(reference, Window, 1e-6, options, seed: 9).Should().Be(ThresholdCalibrator.Calibrate(reference, Window, 1e-6, options, seed: 9));
    }

    [Fact]
    public void The_budget_is_split_evenly_over_every_test_of_an_evaluation()
    {
        var options = new DriftThresholdOptions { ExpectedWindowsBetweenFalseAlarms = 1_000 };

        // 20 numeric features and the prediction, 4 statistics each; 2 categorical columns, 2 each; the loss detectors.
        FalseAlarmBudget.Tests(20, 2).Should().Be(4 * 21 + 2 * 2 + 1);
        FalseAlarmBudget.PerTest(options, 20, 2).Should().BeApproximately(1.0 / (1_000 * 89), 1e-15);
    }

    private static float[] Values(Draw draw, string distribution, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(distribution == "normal" ? draw.Normal() : draw.Exponential())).ToArray();
}
