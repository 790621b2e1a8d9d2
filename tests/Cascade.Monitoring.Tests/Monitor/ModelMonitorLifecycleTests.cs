using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Monitor;

/// <summary>Promotion, checkpoints, label joins and malformed or repeated records.</summary>
public class ModelMonitorLifecycleTests
{
    private static readonly SyntheticModel.Scenario Stationary = new();
    private static readonly SyntheticModel.Scenario Shifted = new(IncomeShift: 4);

    private static ModelMonitor Watching(int version = 1, SyntheticModel.Scenario? trainedOn = null, MonitoringOptions? options = null)
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, options ?? new MonitoringOptions());
        monitor.Activate(version, SyntheticModel.Profile(trainedOn ?? Stationary), ModelTask.BinaryClassification).Should().BeTrue();
        return monitor;
    }

    [Fact]
    public void Promoting_a_new_version_switches_the_reference_profile_and_resets_windows_detectors_and_dedup_state()
    {
        var monitor = Watching();
        var traffic = new TrafficStream(monitor, 21);
        traffic.Send(2_000, Shifted).Should().Contain(a => a.Kind == DriftKind.FeatureDrift && a.Version == 1);

        // The retrained version learned the shifted distribution.
        monitor.Activate(2, SyntheticModel.Profile(Shifted), ModelTask.BinaryClassification).Should().BeTrue();
        var health = monitor.Health();
        health.Version.Should().Be(2);
        health.WindowCount.Should().Be(0);
        health.Counters.Should().Be(new MonitorCounters());
        health.Detectors.Should().OnlyContain(d => d.Updates == 0);

        var stale = traffic.Send(300, Shifted); // still tagged v1: served before the swap completed
        traffic.Version = 2;
        var after = traffic.Send(3_000, Shifted);

        stale.Concat(after).Should().BeEmpty("the shifted traffic is the new version's training distribution");
        monitor.Health().Counters.PredictionsIgnored.Should().Be(300);
        monitor.Health().Counters.PredictionsSeen.Should().Be(3_000);
    }

    [Fact]
    public void A_redelivered_promotion_of_the_watched_version_changes_nothing()
    {
        var monitor = Watching();
        new TrafficStream(monitor, 22).Send(600, Stationary);

        monitor.Activate(1, SyntheticModel.Profile(Shifted), ModelTask.BinaryClassification).Should().BeFalse();

        monitor.Health().WindowCount.Should().Be(500);
        monitor.Health().Counters.PredictionsSeen.Should().Be(600);
    }

    [Fact]
    public void A_checkpoint_survives_json_and_resumes_to_the_same_alerts_and_health()
    {
        var options = new MonitoringOptions();
        var original = Watching(options: options);
        var feed = new TrafficStream(original, 23);
        feed.Send(3_000, Stationary);
        feed.Send(450, new SyntheticModel.Scenario(FlipLabelsForOlder: true));
        feed.Send(150, Shifted);

        var json = JsonSerializer.Serialize(original.Export(), CheckpointJson);
        var restored = new ModelMonitor(SyntheticModel.Name, options);
        restored.Import(JsonSerializer.Deserialize<MonitorState>(json, CheckpointJson)!, SyntheticModel.Profile(Stationary));

        // Two identical continuations: the same seed from the same position.
        var rest = new SyntheticModel.Scenario(IncomeShift: 4, FlipLabelsForOlder: true);
        var a = Continue(original, feed.Next, rest);
        var b = Continue(restored, feed.Next, rest);

        a.Should().NotBeEmpty();
        b.Select(x => x.AlertId).Should().Equal(a.Select(x => x.AlertId));
        var (ha, hb) = (original.Health(), restored.Health());
        hb.Counters.Should().Be(ha.Counters);
        hb.Detectors.Should().BeEquivalentTo(ha.Detectors);
        hb.Performance.Should().BeEquivalentTo(ha.Performance);
        hb.Features.Select(f => f.Psi).Should().Equal(ha.Features.Select(f => f.Psi));
    }

    private static readonly JsonSerializerOptions CheckpointJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static List<DriftAlert> Continue(ModelMonitor monitor, long from, SyntheticModel.Scenario scenario)
    {
        var draw = new Draw(99);
        var alerts = new List<DriftAlert>();
        for (var i = from; i < from + 2_000; i++)
        {
            var x = SyntheticModel.DrawFeatures(draw, scenario);
            var p = SyntheticModel.Predict(x);
            alerts.AddRange(monitor.Observe(SyntheticModel.Prediction(i, 1, x, p)));
            alerts.AddRange(monitor.Observe(new LabelRecord(SyntheticModel.Name, $"p{i - 30}", null, SyntheticModel.Start.AddSeconds(i), SyntheticModel.Label(draw, x, p, scenario))));
        }
        return alerts;
    }

    [Fact]
    public void Labels_join_by_prediction_id_or_by_the_entitys_latest_prediction_not_after_the_label()
    {
        var monitor = Watching();
        var t0 = SyntheticModel.Start;
        float[] x = [0, 5, 1, 0, 5];
        monitor.Observe(new PredictionRecord("a", SyntheticModel.Name, 1, "alice", t0, 1, x, new[] { 0.9f }));
        monitor.Observe(new PredictionRecord("b", SyntheticModel.Name, 1, "alice", t0.AddMinutes(10), 2, x, new[] { 0.2f }));
        monitor.Observe(new PredictionRecord("c", SyntheticModel.Name, 1, "bob", t0.AddMinutes(1), 3, x, new[] { 0.7f }));

        // Alice's outcome at minute 5 belongs to the prediction of minute 0, not to the later one.
        monitor.Observe(new LabelRecord(SyntheticModel.Name, null, "alice", t0.AddMinutes(5), 1));
        monitor.Observe(new LabelRecord(SyntheticModel.Name, "c", null, t0.AddMinutes(20), 0));
        monitor.Observe(new LabelRecord(SyntheticModel.Name, "c", null, t0.AddMinutes(21), 0)); // redelivered: already joined
        monitor.Observe(new LabelRecord(SyntheticModel.Name, null, "carol", t0.AddMinutes(5), 1)); // no prediction

        var health = monitor.Health();
        health.Counters.LabelsJoined.Should().Be(2);
        health.Counters.LabelsUnmatched.Should().Be(2);
        health.PendingLabels.Should().Be(1, "Alice's later prediction still waits");
        health.Performance["accuracy"].Should().Be(0.5, "0.9 for Alice's positive is right, 0.7 for Bob's negative is wrong");
        health.Performance["log_loss"].Should().BeApproximately(-(Math.Log(0.9f) + Math.Log(1 - 0.7f)) / 2, 1e-6);
    }

    [Fact]
    public void Predictions_waiting_longer_than_the_expiry_are_dropped_and_their_late_labels_do_not_join()
    {
        var monitor = Watching(options: new MonitoringOptions { Labels = { Expiry = TimeSpan.FromHours(1) } });
        var t0 = SyntheticModel.Start;
        float[] x = [0, 5, 1, 0, 5];
        monitor.Observe(new PredictionRecord("old", SyntheticModel.Name, 1, null, t0, 1, x, new[] { 0.5f }));
        monitor.Observe(new PredictionRecord("new", SyntheticModel.Name, 1, null, t0.AddHours(2), 2, x, new[] { 0.5f }));

        monitor.Observe(new LabelRecord(SyntheticModel.Name, "old", null, t0.AddHours(2), 1));

        var health = monitor.Health();
        health.PendingDropped.Should().Be(1);
        health.Counters.LabelsUnmatched.Should().Be(1);
        health.PendingLabels.Should().Be(1);
    }

    [Fact]
    public void Redelivered_malformed_and_foreign_version_predictions_are_counted_but_not_windowed()
    {
        var monitor = Watching();
        float[] x = [0, 5, 1, 0, 5];
        var t0 = SyntheticModel.Start;
        monitor.Observe(new PredictionRecord("a", SyntheticModel.Name, 1, null, t0, 10, x, new[] { 0.5f }));
        monitor.Observe(new PredictionRecord("a", SyntheticModel.Name, 1, null, t0, 10, x, new[] { 0.5f }));
        monitor.Observe(new PredictionRecord("b", SyntheticModel.Name, 1, null, t0, 11, new float[] { 1, 2 }, new[] { 0.5f }));
        monitor.Observe(new PredictionRecord("c", SyntheticModel.Name, 1, null, t0, 12, x, ReadOnlyMemory<float>.Empty));
        monitor.Observe(new PredictionRecord("d", SyntheticModel.Name, 3, null, t0, 13, x, new[] { 0.5f }));

        var counters = monitor.Health().Counters;
        counters.Should().Be(new MonitorCounters(PredictionsSeen: 1, PredictionsIgnored: 1, PredictionsDuplicate: 1, PredictionsRejected: 2));
        monitor.Health().WindowCount.Should().Be(1);
        monitor.Invoking(m => m.Observe(new PredictionRecord("e", "other-model", 1, null, t0, 14, x, new[] { 0.5f })))
            .Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Health_before_any_promotion_reports_an_idle_monitor()
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, new MonitoringOptions());
        monitor.Observe(new PredictionRecord("a", SyntheticModel.Name, 1, null, SyntheticModel.Start, 1, new float[5], new[] { 0.5f }));

        var health = monitor.Health();
        health.Version.Should().BeNull();
        health.Counters.PredictionsIgnored.Should().Be(1);
        health.Detectors.Select(d => d.Name).Should().Equal("adwin", "page_hinkley");
        monitor.Export().Should().BeNull();
    }

    [Fact]
    public void A_regression_model_reports_rmse_and_mae_over_joined_labels()
    {
        var profile = SyntheticModel.Profile(Stationary);
        var monitor = new ModelMonitor("price", new MonitoringOptions());
        monitor.Activate(4, profile, ModelTask.Regression);
        var draw = new Draw(24);
        var errors = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var x = SyntheticModel.DrawFeatures(draw, Stationary);
            var prediction = (float)(10 + x[0]);
            var target = prediction + draw.Normal(0, 0.5);
            errors.Add(prediction - target);
            monitor.Observe(new PredictionRecord($"r{i}", "price", 4, null, SyntheticModel.Start.AddSeconds(i), i, x, new[] { prediction }));
            monitor.Observe(new LabelRecord("price", $"r{i}", null, SyntheticModel.Start.AddSeconds(i + 1), target));
        }

        var performance = monitor.Health().Performance;
        performance.Keys.Should().BeEquivalentTo("rmse", "mae");
        performance["rmse"].Should().BeApproximately(Math.Sqrt(errors.Average(e => e * e)), 1e-9);
        performance["mae"].Should().BeApproximately(errors.Average(Math.Abs), 1e-9);
    }
}
