using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Evaluation;
using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Tests.Evaluation;

public class DriftJudgeTests
{
    // The agreement rule of the fixed thresholds (two statistics must agree), still available as an option.
    private readonly DriftJudge judge = new(new DriftThresholdOptions { MinAgreeingStatistics = 2 });

    [Fact]
    public void Statistics_under_every_threshold_are_no_drift()
    {
        var (severity, _, evidence) = judge.Judge(psi: 0.05, ksPValue: 0.3, jensenShannon: 0.05, normalizedWasserstein: 0.1);

        severity.Should().Be(AlertSeverity.None);
        evidence.Should().BeNull();
    }

    [Fact]
    public void A_lone_statistic_over_its_threshold_is_only_info()
    {
        var (severity, _, evidence) = judge.Judge(psi: 0.3, ksPValue: 0.3, jensenShannon: 0.05, normalizedWasserstein: 0.1);

        severity.Should().Be(AlertSeverity.Info);
        evidence!.Statistic.Should().Be(DriftJudge.Psi);
        evidence.Threshold.Should().Be(0.1, "an INFO quotes the warning threshold");
    }

    [Fact]
    public void Two_statistics_at_warning_make_a_warning_and_two_at_critical_a_critical()
    {
        judge.Judge(psi: 0.12, ksPValue: 1e-7, jensenShannon: 0.05, normalizedWasserstein: 0.1).Severity.Should().Be(AlertSeverity.Warning);
        judge.Judge(psi: 0.3, ksPValue: 1e-7, jensenShannon: 0.05, normalizedWasserstein: 0.1).Severity.Should().Be(AlertSeverity.Warning);

        var (severity, _, evidence) = judge.Judge(psi: 0.3, ksPValue: 1e-13, jensenShannon: 0.05, normalizedWasserstein: 0.1);
        severity.Should().Be(AlertSeverity.Critical);
        evidence!.Threshold.Should().BeOneOf(0.25, 1e-12);
    }

    [Fact]
    public void Undefined_statistics_abstain_and_the_score_ranks_by_effect_size()
    {
        var (severity, score, _) = judge.Judge(psi: 0.5, ksPValue: double.NaN, jensenShannon: 0.3, normalizedWasserstein: double.NaN);

        severity.Should().Be(AlertSeverity.Critical);
        score.Should().Be(5, "PSI is five times its warning threshold, more than Jensen-Shannon's two");
    }

    [Fact]
    public void By_default_a_lone_statistic_over_its_threshold_is_a_warning_not_an_info()
    {
        var (severity, _, evidence) = new DriftJudge(new DriftThresholdOptions()).Judge(psi: 0.12, ksPValue: 0.3, jensenShannon: 0.05, normalizedWasserstein: 0.1);

        severity.Should().Be(AlertSeverity.Warning, "each calibrated statistic is a test at its share of the false-alarm budget");
        evidence!.Statistic.Should().Be(DriftJudge.Psi);
    }

    [Fact]
    public void Per_feature_thresholds_replace_the_options_fixed_ones()
    {
        var judgeDefault = new DriftJudge(new DriftThresholdOptions());
        var raised = new FeatureThresholds(0.2, 0.3, 1e-8, 1e-12, 0.2, 0.3, 0.5, 0.7);

        judgeDefault.Judge(psi: 0.15, ksPValue: 1e-7, jensenShannon: 0.1, normalizedWasserstein: 0.4, raised).Severity.Should().Be(AlertSeverity.None);
        judgeDefault.Judge(psi: 0.15, ksPValue: 1e-7, jensenShannon: 0.1, normalizedWasserstein: 0.4).Severity.Should().Be(AlertSeverity.Warning);
    }
}
