using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Performance;
using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Performance;

/// <summary>
/// Confidence-based performance estimation: right on calibrated probabilities, right under covariate shift, blind to
/// concept shift (its error against the realised metric says so once labels join), and alerting when the expected
/// accuracy falls.
/// </summary>
public class PerformanceEstimationTests
{
    private static readonly SyntheticModel.Scenario Stationary = new();

    [Fact]
    public void On_calibrated_probabilities_the_estimates_match_the_realised_accuracy_and_auc()
    {
        var draw = new Draw(51);
        var probabilities = new float[20_000];
        var labels = new double[probabilities.Length];
        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = SyntheticModel.Predict(SyntheticModel.DrawFeatures(draw, Stationary));
            labels[i] = draw.Bernoulli(probabilities[i]) ? 1 : 0;
        }
        var scores = probabilities.Select(p => (double)p).ToArray();

        ConfidenceBasedEstimate.Accuracy(probabilities).Should().BeApproximately(ClassificationMetrics.Accuracy(scores, labels), 0.01);
        ConfidenceBasedEstimate.RocAuc(probabilities).Should().BeApproximately(ClassificationMetrics.RocAuc(scores, labels), 0.01);
    }

    [Fact]
    public void The_estimates_follow_their_definitions_on_small_cases()
    {
        ConfidenceBasedEstimate.Accuracy([0.9f, 0.2f, float.NaN]).Should().BeApproximately((0.9 + 0.8) / 2, 1e-7);
        ConfidenceBasedEstimate.Accuracy([]).Should().Be(double.NaN);
        // Two predictions: the pair (a positive at 0.8 over a negative at 0.3) is ordered rightly with 0.8·0.7 of the
        // expected pairs 0.8·0.7 + 0.3·0.2.
        ConfidenceBasedEstimate.RocAuc([0.3f, 0.8f]).Should().BeApproximately(0.8 * 0.7 / (0.8 * 0.7 + 0.3 * 0.2), 1e-7);
        ConfidenceBasedEstimate.RocAuc([0.5f, 0.5f]).Should().BeApproximately(0.5, 1e-12, "tied scores order no pair");
        ConfidenceBasedEstimate.RocAuc([1f, 1f]).Should().Be(double.NaN, "no negative is possible");
    }

    private static (ModelMonitor Monitor, TrafficStream Traffic) Watching(int seed)
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, new MonitoringOptions());
        monitor.Activate(1, SyntheticModel.Profile(Stationary), ModelTask.BinaryClassification);
        return (monitor, new TrafficStream(monitor, seed));
    }

    [Fact]
    public void Under_covariate_shift_the_estimate_tracks_the_realised_accuracy()
    {
        var (monitor, traffic) = Watching(52);
        traffic.Send(3_000, new SyntheticModel.Scenario(IncomeShift: 4));

        var health = monitor.Health();
        health.EstimatedPerformance.Keys.Should().BeEquivalentTo("accuracy", "auc", "reference_accuracy");
        health.EstimationError["labelled"].Should().Be(health.PerformanceCount);
        Math.Abs(health.EstimationError["accuracy"]).Should().BeLessThan(0.04, "the probabilities stay calibrated when only the inputs move");
        Math.Abs(health.EstimationError["auc"]).Should().BeLessThan(0.04);
    }

    [Fact]
    public void Under_concept_shift_the_estimate_is_blind_and_its_error_against_the_labels_shows_it()
    {
        var (monitor, traffic) = Watching(53);
        var alerts = traffic.Send(3_000, new SyntheticModel.Scenario(FlipLabelsForOlder: true));

        alerts.Should().NotContain(a => a.Kind == DriftKind.EstimatedPerformanceDrop, "the probabilities did not change");
        monitor.Health().EstimationError["accuracy"].Should().BeGreaterThan(0.1, "outcomes reversed for a third of the traffic: the estimate is far too high");
    }

    [Fact]
    public void Stationary_traffic_estimates_the_reference_accuracy_and_raises_nothing()
    {
        var (monitor, traffic) = Watching(54);

        traffic.Send(10_000, Stationary).Should().BeEmpty();

        var estimated = monitor.Health().EstimatedPerformance;
        estimated["accuracy"].Should().BeApproximately(estimated["reference_accuracy"], 0.03);
    }

    [Fact]
    public void Probabilities_that_lose_their_confidence_raise_an_estimated_performance_alert_without_labels()
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, new MonitoringOptions());
        monitor.Activate(1, SyntheticModel.Profile(Stationary), ModelTask.BinaryClassification);
        var draw = new Draw(55);
        var alerts = new List<DriftAlert>();
        for (var i = 0; i < 2_000; i++)
        {
            var x = SyntheticModel.DrawFeatures(draw, Stationary);
            // The model's inputs now sit near its boundary: probabilities pulled halfway to 0.5.
            var p = i < 1_000 ? SyntheticModel.Predict(x) : 0.5f + (SyntheticModel.Predict(x) - 0.5f) / 2;
            alerts.AddRange(monitor.Observe(SyntheticModel.Prediction(i, 1, x, p)));
        }

        var estimated = alerts.Where(a => a.Kind == DriftKind.EstimatedPerformanceDrop).ToArray();
        estimated.Should().NotBeEmpty();
        estimated[0].Evidence.Statistic.Should().Be(PerformanceEstimate.Statistic);
        estimated[0].Evidence.Value.Should().BeLessThan(estimated[0].Evidence.Threshold);
        estimated.Max(a => a.Severity).Should().Be(AlertSeverity.Critical);
        estimated[0].Summary.Should().Contain("estimated without labels");
    }

    [Fact]
    public void Regression_models_are_not_estimated()
    {
        var monitor = new ModelMonitor("price", new MonitoringOptions());
        monitor.Activate(1, SyntheticModel.Profile(Stationary), ModelTask.Regression);

        monitor.Health().EstimatedPerformance.Should().BeEmpty();
        monitor.Health().EstimationError.Should().BeEmpty();
    }
}
