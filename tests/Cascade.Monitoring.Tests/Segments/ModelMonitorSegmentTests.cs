using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Segments;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Segments;

/// <summary>
/// Segments: a segment that drifts while the whole stays within thresholds raises SEGMENT_DEGRADED naming it; traffic
/// in which no segment differs raises none; the fairness summary's rates are those computed by hand; a checkpoint keeps
/// the segments' baselines, windows and figures.
/// </summary>
public sealed class ModelMonitorSegmentTests
{
    private static readonly JsonSerializerOptions CheckpointJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Segmented by age: below 1 (84% of traffic), at or above 1 (16%), missing (none).</summary>
    private static MonitoringOptions ByAge() => new() { Segments = { [SyntheticModel.Name] = new SegmentOptions { Column = "age", Bins = [1.0] } } };

    private static ModelMonitor Watching(MonitoringOptions options)
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, options);
        monitor.Activate(1, SyntheticModel.Profile(new()), ModelTask.BinaryClassification);
        return monitor;
    }

    /// <summary>
    /// Predictions <paramref name="from"/> to <paramref name="to"/> (exclusive), each labelled at once; from
    /// <paramref name="driftFrom"/> on, the income of customers aged 1 or more is 1σ higher; from
    /// <paramref name="flipFrom"/> on, the outcome of customers aged <paramref name="flipAge"/> or more is the reverse of
    /// what the model learnt.
    /// </summary>
    private static List<DriftAlert> Send(ModelMonitor monitor, Draw draw, long from, long to, long driftFrom = long.MaxValue, long flipFrom = long.MaxValue,
        double flipAge = 1.5)
    {
        var alerts = new List<DriftAlert>();
        for (var i = from; i < to; i++)
        {
            var x = SyntheticModel.DrawFeatures(draw, new());
            if (i >= driftFrom && x[0] >= 1) x[1] += 2;
            var p = SyntheticModel.Predict(x);
            alerts.AddRange(monitor.Observe(SyntheticModel.Prediction(i, 1, x, p)));
            var label = SyntheticModel.Label(draw, x, p, new());
            if (i >= flipFrom && x[0] >= flipAge) label = 1 - label;
            alerts.AddRange(monitor.Observe(new LabelRecord(SyntheticModel.Name, $"p{i}", null, SyntheticModel.Start.AddSeconds(i), label)));
        }
        return alerts;
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public void A_segment_that_drifts_while_the_whole_stays_within_thresholds_raises_segment_degraded(int seed)
    {
        var monitor = Watching(ByAge());
        var draw = new Draw(seed);
        Send(monitor, draw, 0, 3_000).Should().BeEmpty("the segments' baselines fill on stationary traffic");

        var alerts = Send(monitor, draw, 3_000, 7_000, driftFrom: 3_000);

        alerts.Should().NotContain(a => a.Kind == DriftKind.FeatureDrift || a.Kind == DriftKind.PredictionDrift, "a sixth of the traffic moved: the whole stays within its thresholds");
        var segment = alerts.Where(a => a.Kind == DriftKind.SegmentDegraded).Should().NotBeEmpty().And.Subject.First(); // a WARNING, then CRITICAL as evidence grows
        segment.DedupKey.Should().Be("churn/v1/segment-degraded/age=≥ 1");
        segment.TopFeatures.Select(f => f.Feature).Should().Contain("income");
        segment.Summary.Should().Contain("age=≥ 1");
        alerts.Where(a => a.Kind == DriftKind.SegmentDegraded).Should().OnlyContain(a => a.DedupKey.EndsWith("age=≥ 1"), "the younger customers did not change");
        monitor.Health().Fairness!.Segments.Single(s => s.Segment == "≥ 1").Drift.Should().BeOneOf(AlertSeverity.Warning, AlertSeverity.Critical);
    }

    [Theory]
    [InlineData(33)]
    [InlineData(34)]
    public void A_segment_whose_error_rate_rises_while_the_whole_stays_level_raises_segment_degraded(int seed)
    {
        // Segments by age: below 1.5 (93% of traffic), at or above 1.5 (7%); their baselines fill in the first 5,000.
        var monitor = Watching(new MonitoringOptions { Segments = { [SyntheticModel.Name] = new SegmentOptions { Column = "age", Bins = [1.5] } } });
        var draw = new Draw(seed);
        Send(monitor, draw, 0, 5_000).Should().BeEmpty();

        var alerts = Send(monitor, draw, 5_000, 10_000, flipFrom: 5_000);

        var segment = alerts.Where(a => a.Kind == DriftKind.SegmentDegraded).Should().NotBeEmpty().And.Subject.First();
        segment.DedupKey.Should().Be("churn/v1/segment-degraded/age=≥ 1.5");
        segment.Evidence.Statistic.Should().Be("error_rate_p_value");
        segment.Summary.Should().Contain("error rate of segment age=≥ 1.5");
        var fairness = monitor.Health().Fairness!;
        fairness.Segments.Single(s => s.Segment == "≥ 1.5").ErrorRate.Should().BeGreaterThan(fairness.Overall.ErrorRate + 0.3, "the segment is served far worse than the whole");
    }

    [Theory]
    [InlineData(35)]
    [InlineData(36)]
    public void An_error_rise_every_segment_shares_is_the_wholes_and_raises_no_segment_alert(int seed)
    {
        var monitor = Watching(new MonitoringOptions { Segments = { [SyntheticModel.Name] = new SegmentOptions { Column = "age", Bins = [1.5] } } });
        var draw = new Draw(seed);
        Send(monitor, draw, 0, 5_000).Should().BeEmpty();

        var alerts = Send(monitor, draw, 5_000, 10_000, flipFrom: 5_000, flipAge: double.NegativeInfinity);

        alerts.Should().Contain(a => a.Kind == DriftKind.PerformanceDegradation, "the whole's loss detectors see everyone's outcomes reversed");
        alerts.Should().NotContain(a => a.Kind == DriftKind.SegmentDegraded);
    }

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    [InlineData(44)]
    public void No_segment_alert_is_raised_when_no_segment_differs(int seed)
    {
        var monitor = Watching(ByAge());

        var alerts = Send(monitor, new Draw(seed), 0, 15_000);

        alerts.Should().BeEmpty();
        var fairness = monitor.Health().Fairness!;
        fairness.Segments.Select(s => s.Segment).Should().Equal("< 1", "≥ 1");
        fairness.Segments.Should().OnlyContain(s => s.Drift == AlertSeverity.None);
    }

    [Fact]
    public void The_fairness_summary_matches_a_hand_computation()
    {
        // Window of 50, segmented by is_premium (< 0.5: standard, ≥ 0.5: premium). Prediction i is premium when i % 5 == 0
        // (10 of 50); a premium prediction is positive (0.9) when i % 10 == 0 (i = 0, 10, 20, 30, 40: 5 of 10), a standard
        // one (0.7) when i % 4 == 1 (i = 1, 9, 13, 17, 21, 29, 33, 37, 41, 49: 10 of 40). Every premium customer's label
        // is 1 and every standard customer's 0, so the errors are the premium negatives (5 of 10) and the standard
        // positives (10 of 40). Overall: 15 of 50 positive, 15 of 50 wrong.
        var options = new MonitoringOptions
        {
            Window = { Size = 50, EvaluationStride = 10 },
            Segments = { [SyntheticModel.Name] = new SegmentOptions { Column = "is_premium", Bins = [0.5] } },
        };
        var monitor = Watching(options);
        for (var i = 0; i < 50; i++)
        {
            var premium = i % 5 == 0;
            float[] x = [0, 5, 1, premium ? 1 : 0, 5];
            var p = premium ? (i % 10 == 0 ? 0.9f : 0.3f) : (i % 4 == 1 ? 0.7f : 0.1f);
            monitor.Observe(SyntheticModel.Prediction(i, 1, x, p));
            monitor.Observe(new LabelRecord(SyntheticModel.Name, $"p{i}", null, SyntheticModel.Start.AddSeconds(i), premium ? 1 : 0));
        }

        var fairness = monitor.Health().Fairness!;

        fairness.Column.Should().Be("is_premium");
        fairness.Unsegmented.Should().Be(0);
        var (standard, premiumSegment) = (fairness.Segments.Single(s => s.Segment == "< 0.5"), fairness.Segments.Single(s => s.Segment == "≥ 0.5"));
        standard.Should().BeEquivalentTo(new { Count = 40, PositiveRate = 0.25, Labelled = 40, ErrorRate = 0.25 });
        premiumSegment.Should().BeEquivalentTo(new { Count = 10, PositiveRate = 0.5, Labelled = 10, ErrorRate = 0.5 });
        fairness.Overall.Should().BeEquivalentTo(new { Segment = "overall", Count = 50, PositiveRate = 0.3, Labelled = 50, ErrorRate = 0.3 });
        premiumSegment.MeanPrediction.Should().BeApproximately((5 * 0.9 + 5 * 0.3) / 10, 1e-6);
    }

    [Fact]
    public void A_checkpoint_keeps_the_segments_and_resumes_to_the_same_alerts_and_figures()
    {
        var options = ByAge();
        var original = Watching(options);
        var draw = new Draw(51);
        Send(original, draw, 0, 3_500, driftFrom: 3_000);

        var json = JsonSerializer.Serialize(original.Export(), CheckpointJson);
        var restored = new ModelMonitor(SyntheticModel.Name, options);
        restored.Import(JsonSerializer.Deserialize<MonitorState>(json, CheckpointJson)!, SyntheticModel.Profile(new()));
        restored.Health().Fairness.Should().BeEquivalentTo(original.Health().Fairness);

        // Records replayed after the restart (at or below the checkpoint's offset) move no window: both monitors see them.
        Send(restored, new Draw(51), 3_000, 3_500, driftFrom: 3_000).Should().BeEmpty();
        Send(original, new Draw(51), 3_000, 3_500, driftFrom: 3_000).Should().BeEmpty();
        restored.Health().Fairness.Should().BeEquivalentTo(original.Health().Fairness);
        var (a, b) = (Send(original, new Draw(52), 3_500, 7_000, driftFrom: 3_000), Send(restored, new Draw(52), 3_500, 7_000, driftFrom: 3_000));

        a.Should().Contain(x => x.Kind == DriftKind.SegmentDegraded);
        b.Select(x => x.AlertId).Should().Equal(a.Select(x => x.AlertId));
        restored.Health().Fairness.Should().BeEquivalentTo(original.Health().Fairness);
        JsonSerializer.Serialize(restored.Export(), CheckpointJson).Should().Be(JsonSerializer.Serialize(original.Export(), CheckpointJson));
    }

    [Fact]
    public void A_column_that_is_not_an_input_leaves_the_version_unsegmented_and_says_why()
    {
        var monitor = Watching(new MonitoringOptions { Segments = { [SyntheticModel.Name] = new SegmentOptions { Column = "gender" } } });

        Send(monitor, new Draw(61), 0, 600);

        var health = monitor.Health();
        health.Fairness.Should().BeNull();
        health.SegmentProblem.Should().Contain("'gender' is not an input");
    }

    [Fact]
    public void Segment_options_have_documented_defaults_and_refuse_bins_out_of_order()
    {
        var defaults = new SegmentOptions { Column = "region" };
        defaults.Should().BeEquivalentTo(new { Bins = new List<double>(), MaxSegments = 10, WindowSize = 250, EvaluationStride = 50 });
        new MonitoringOptions { Segments = { ["m"] = defaults } }.Validate().Should().BeEmpty();

        var errors = new MonitoringOptions { Segments = { ["m"] = new SegmentOptions { Column = "", Bins = [2, 1] } } }.Validate();

        errors.Should().Contain(e => e.StartsWith("Segments:m:") && e.Contains("Column"));
        errors.Should().Contain("Segments:m: bins must be finite and strictly increasing.");
    }
}
