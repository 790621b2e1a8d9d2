using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Monitor;

/// <summary>The monitor end to end on synthetic traffic: silence on stationary data, alerts on covariate and concept drift.</summary>
public class ModelMonitorDriftTests
{
    private static readonly SyntheticModel.Scenario Stationary = new();

    private static (ModelMonitor Monitor, TrafficStream Traffic) Start(int seed, MonitoringOptions? options = null)
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, options ?? new MonitoringOptions());
        monitor.Activate(1, SyntheticModel.Profile(Stationary), ModelTask.BinaryClassification);
        return (monitor, new TrafficStream(monitor, seed));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Stationary_traffic_from_the_training_distribution_raises_no_alert_over_20k_predictions(int seed)
    {
        var (monitor, traffic) = Start(seed);

        traffic.Send(20_000, Stationary);

        traffic.Alerts.Should().BeEmpty();
        var health = monitor.Health();
        health.Counters.Evaluations.Should().Be((20_000 - 500) / 100 + 1);
        health.Counters.LabelsJoined.Should().Be(20_000 - 20, "every label but the last 20 (still in flight) joined its prediction");
        health.Counters.LabelsUnmatched.Should().Be(0);
        health.Features.Should().HaveCount(5).And.OnlyContain(f => f.Psi < 0.1 && f.KsPValue > 1e-6);
        health.Performance["auc"].Should().BeGreaterThan(0.75);
        health.Detectors.Should().OnlyContain(d => d.Detections == 0);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void A_covariate_shift_alerts_within_1000_predictions_and_names_the_shifted_feature_first(int seed)
    {
        var (_, traffic) = Start(seed);
        traffic.Send(3_000, Stationary).Should().BeEmpty();

        var alerts = traffic.Send(1_000, new SyntheticModel.Scenario(IncomeShift: 3)); // +1.5σ

        var featureAlert = alerts.Should().Contain(a => a.Kind == DriftKind.FeatureDrift).Which;
        featureAlert.TopFeatures[0].Feature.Should().Be("income");
        featureAlert.TopFeatures.Should().NotContain(f => f.Feature == "age" || f.Feature == "tenure", "unshifted features stay quiet");
        featureAlert.Severity.Should().BeOneOf(AlertSeverity.Warning, AlertSeverity.Critical);
        featureAlert.Evidence.Value.Should().NotBe(double.NaN);
        featureAlert.Window.Size.Should().Be(500);
        featureAlert.Window.EndOffset.Should().BeInRange(3_000, 3_999);
        featureAlert.DedupKey.Should().Be("churn/v1/feature-drift");
        featureAlert.Summary.Should().Contain("income");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void Concept_drift_raises_a_performance_alert_from_the_loss_detectors_without_feature_drift(int seed)
    {
        var (monitor, traffic) = Start(seed);
        traffic.Send(3_000, Stationary).Should().BeEmpty();

        traffic.Send(2_000, new SyntheticModel.Scenario(FlipLabelsForOlder: true));

        var performance = traffic.Alerts.Where(a => a.Kind == DriftKind.PerformanceDegradation).ToList();
        performance.Should().NotBeEmpty();
        performance[0].Evidence.Statistic.Should().BeOneOf("adwin", "page_hinkley");
        performance[0].Window.EndOffset.Should().BeInRange(3_000, 4_500, "detected within 1,500 labels of the change");
        performance[^1].Severity.Should().Be(AlertSeverity.Critical, "both detectors agree eventually");
        performance.Select(a => a.Severity).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems("repeats of the same severity are deduplicated");
        traffic.Alerts.Should().NotContain(a => a.Kind == DriftKind.FeatureDrift, "the inputs did not change");
        monitor.Health().Performance["accuracy"].Should().BeLessThan(0.75);
    }

    [Fact]
    public void Continuing_drift_alerts_once_per_severity_level_and_escalation_alerts_again_with_the_same_key()
    {
        var options = new MonitoringOptions { Alerts = { QuietPeriod = TimeSpan.FromDays(1) } };
        var (_, traffic) = Start(7, options);
        traffic.Send(2_000, Stationary);

        traffic.Send(3_000, new SyntheticModel.Scenario(IncomeShift: 0.6)); // +0.3σ: moderate
        var moderate = traffic.Alerts.Where(a => a.Kind == DriftKind.FeatureDrift).ToList();
        traffic.Send(3_000, new SyntheticModel.Scenario(IncomeShift: 4)); // +2σ: major
        var all = traffic.Alerts.Where(a => a.Kind == DriftKind.FeatureDrift).ToList();

        moderate.Should().NotBeEmpty().And.OnlyContain(a => a.Severity < AlertSeverity.Critical);
        all.Should().HaveCount(moderate.Count + 1, "the major shift escalates once, then stays quiet");
        all[^1].Severity.Should().Be(AlertSeverity.Critical);
        all.Select(a => a.DedupKey).Distinct().Should().ContainSingle();
        all.Select(a => a.Severity).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        all.Select(a => a.AlertId).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void A_drift_still_present_after_the_quiet_period_alerts_again_as_a_reminder()
    {
        var options = new MonitoringOptions { Alerts = { QuietPeriod = TimeSpan.FromMinutes(10) } };
        var (_, traffic) = Start(8, options);
        traffic.Send(1_000, Stationary);

        traffic.Send(4_000, new SyntheticModel.Scenario(IncomeShift: 4));

        var alerts = traffic.Alerts.Where(a => a.Kind == DriftKind.FeatureDrift && a.Severity == AlertSeverity.Critical).ToList();
        alerts.Count.Should().BeInRange(4, 7, "about one reminder per 10 minutes of event time (one prediction a second)");
        alerts.Zip(alerts.Skip(1), (a, b) => b.DetectedAt - a.DetectedAt).Should().OnlyContain(gap => gap >= TimeSpan.FromMinutes(10));
    }

    [Fact]
    public void A_feature_that_stops_arriving_is_reported_through_the_missing_bin()
    {
        var (monitor, traffic) = Start(9);
        traffic.Send(1_000, Stationary);

        var alerts = traffic.Send(600, new SyntheticModel.Scenario(ScoreMissing: true));

        var alert = alerts.Should().Contain(a => a.Kind == DriftKind.FeatureDrift).Which;
        alert.TopFeatures[0].Feature.Should().Be("score");
        var score = monitor.Health().Features.Single(f => f.Feature == "score");
        score.MissingRate.Should().Be(1);
        score.Severity.Should().Be(AlertSeverity.Critical, "PSI and Jensen-Shannon both see the mass move to the missing bin");
        score.KsPValue.Should().Be(double.NaN, "no values, no sample test");
    }
}
