using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Ml.Artifacts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Segments;

/// <summary>
/// Segments named by the version's training policy and logged by Serving with each prediction
/// (<c>PredictionLogged.segment</c>): a column the model does not read (a protected attribute) segments its predictions;
/// one group drifting or served worse while the whole looks fine raises SEGMENT_DEGRADED; the fairness summary lists the
/// column's groups; values beyond the policy's limit share "other"; a checkpoint keeps the groups in the order they
/// came; an operator's override wins over the policy.
/// </summary>
public sealed class ModelMonitorLoggedSegmentTests
{
    private static readonly JsonSerializerOptions CheckpointJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The policy's segment column: gender, which the model does not read.</summary>
    private static readonly ModelSegment Gender = new() { Column = "gender", Kind = ModelSegment.Categorical };

    private static ModelMonitor Watching(ModelSegment? segment, MonitoringOptions? options = null)
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, options ?? new MonitoringOptions());
        monitor.Activate(1, SyntheticModel.Profile(new()), ModelTask.BinaryClassification, segment);
        return monitor;
    }

    /// <summary>
    /// Predictions <paramref name="from"/> to <paramref name="to"/>, each labelled at once and logged with the customer's
    /// gender (<paramref name="femaleShare"/> female, drawn apart from the features, so the features say nothing of it).
    /// From <paramref name="driftFrom"/> on, women's income is 1σ higher; from <paramref name="flipFrom"/> on, their
    /// outcome is the reverse of what the model learnt.
    /// </summary>
    private static List<DriftAlert> Send(ModelMonitor monitor, Draw draw, Draw genders, long from, long to, long driftFrom = long.MaxValue, long flipFrom = long.MaxValue,
        double femaleShare = 0.16)
    {
        var alerts = new List<DriftAlert>();
        for (var i = from; i < to; i++)
        {
            var female = genders.Bernoulli(femaleShare);
            var x = SyntheticModel.DrawFeatures(draw, new());
            if (i >= driftFrom && female) x[1] += 2;
            var p = SyntheticModel.Predict(x);
            alerts.AddRange(monitor.Observe(SyntheticModel.Prediction(i, 1, x, p) with { Segment = female ? "female" : "male" }));
            var label = SyntheticModel.Label(draw, x, p, new());
            if (i >= flipFrom && female) label = 1 - label;
            alerts.AddRange(monitor.Observe(new LabelRecord(SyntheticModel.Name, $"p{i}", null, SyntheticModel.Start.AddSeconds(i), label)));
        }
        return alerts;
    }

    [Theory]
    [InlineData(71)]
    [InlineData(72)]
    public void A_group_of_a_column_the_model_does_not_read_that_drifts_while_the_whole_looks_fine_raises_segment_degraded(int seed)
    {
        var monitor = Watching(Gender);
        var (draw, genders) = (new Draw(seed), new Draw(seed + 1000));
        Send(monitor, draw, genders, 0, 3_000).Should().BeEmpty("the groups' baselines fill on stationary traffic");

        var alerts = Send(monitor, draw, genders, 3_000, 7_000, driftFrom: 3_000);

        alerts.Should().NotContain(a => a.Kind == DriftKind.FeatureDrift || a.Kind == DriftKind.PredictionDrift, "a sixth of the traffic moved: the whole stays within its thresholds");
        var segment = alerts.Where(a => a.Kind == DriftKind.SegmentDegraded).Should().NotBeEmpty().And.Subject.First();
        segment.DedupKey.Should().Be("churn/v1/segment-degraded/gender=female");
        segment.TopFeatures.Select(f => f.Feature).Should().Contain("income");
        alerts.Where(a => a.Kind == DriftKind.SegmentDegraded).Should().OnlyContain(a => a.DedupKey.EndsWith("gender=female"), "the men's traffic did not change");
        var health = monitor.Health();
        health.SegmentProblem.Should().BeNull();
        health.Fairness!.Column.Should().Be("gender");
        health.Fairness.Segments.Select(s => s.Segment).Should().BeEquivalentTo(["male", "female"]);
        health.Fairness.Segments.Single(s => s.Segment == "female").Drift.Should().BeOneOf(AlertSeverity.Warning, AlertSeverity.Critical);
    }

    [Theory]
    [InlineData(73)]
    [InlineData(74)]
    public void A_group_served_worse_while_the_wholes_error_rate_stays_level_raises_segment_degraded(int seed)
    {
        var monitor = Watching(Gender);
        var (draw, genders) = (new Draw(seed), new Draw(seed + 1000));
        Send(monitor, draw, genders, 0, 5_000, femaleShare: 0.07).Should().BeEmpty();

        var alerts = Send(monitor, draw, genders, 5_000, 10_000, flipFrom: 5_000, femaleShare: 0.07);

        var segment = alerts.Where(a => a.Kind == DriftKind.SegmentDegraded).Should().NotBeEmpty().And.Subject.First();
        segment.DedupKey.Should().Be("churn/v1/segment-degraded/gender=female");
        segment.Evidence.Statistic.Should().Be("error_rate_p_value");
        var fairness = monitor.Health().Fairness!;
        fairness.Segments.Single(s => s.Segment == "female").ErrorRate.Should().BeGreaterThan(fairness.Overall.ErrorRate + 0.3, "women are served far worse than the whole");
    }

    [Theory]
    [InlineData(75)]
    [InlineData(76)]
    [InlineData(77)]
    public void No_segment_alert_is_raised_when_no_group_differs(int seed)
    {
        var monitor = Watching(Gender);

        var alerts = Send(monitor, new Draw(seed), new Draw(seed + 1000), 0, 12_000);

        alerts.Should().BeEmpty();
        monitor.Health().Fairness!.Segments.Should().HaveCount(2).And.OnlyContain(s => s.Drift == AlertSeverity.None);
    }

    [Fact]
    public void The_fairness_summary_groups_by_the_logged_segment_and_counts_predictions_without_one_apart()
    {
        // Window of 50: prediction i is a woman's when i % 5 == 0 (10), carries no segment when i % 5 == 1 (10: a client
        // that sent none), else a man's (30). Women: positive when i % 10 == 0 (5 of 10), all labelled 1 (5 wrong). Men:
        // positive when i % 3 == 0 (i = 3, 9, 12, 18, 24, 27, 33, 39, 42, 48: 10 of 30), all labelled 0 (10 wrong).
        var monitor = Watching(Gender, new MonitoringOptions { Window = { Size = 50, EvaluationStride = 10 } });
        for (var i = 0; i < 50; i++)
        {
            var (female, none) = (i % 5 == 0, i % 5 == 1);
            float[] x = [0, 5, 1, 0, 5];
            var p = female ? (i % 10 == 0 ? 0.9f : 0.3f) : i % 3 == 0 ? 0.7f : 0.1f;
            monitor.Observe(SyntheticModel.Prediction(i, 1, x, p) with { Segment = none ? null : female ? "female" : "male" });
            monitor.Observe(new LabelRecord(SyntheticModel.Name, $"p{i}", null, SyntheticModel.Start.AddSeconds(i), female ? 1 : 0));
        }

        var fairness = monitor.Health().Fairness!;

        fairness.Column.Should().Be("gender");
        fairness.Unsegmented.Should().Be(10);
        fairness.Segments.Select(s => s.Segment).Should().Equal("female", "male");
        fairness.Segments[0].Should().BeEquivalentTo(new { Count = 10, PositiveRate = 0.5, Labelled = 10, ErrorRate = 0.5 });
        fairness.Segments[1].Should().BeEquivalentTo(new { Count = 30, PositiveRate = 10 / 30.0, Labelled = 30, ErrorRate = 10 / 30.0 });
        fairness.Overall.Count.Should().Be(50);
    }

    [Fact]
    public void Values_beyond_the_policys_limit_share_other_and_a_numeric_columns_groups_are_its_bins_in_order()
    {
        var regions = Watching(new ModelSegment { Column = "region", Kind = ModelSegment.Categorical, MaxSegments = 2 });
        var income = Watching(new ModelSegment { Column = "household_income", Kind = ModelSegment.Numeric, Bins = [30_000, 60_000] });
        string[] labels = ["north", "south", "east", "west", "(missing)"];
        for (var i = 0; i < 100; i++)
        {
            var record = SyntheticModel.Prediction(i, 1, [0, 5, 1, 0, 5], 0.4f);
            regions.Observe(record with { Segment = labels[i % 5] });
            // Serving names the bins; they come in any order.
            income.Observe(record with { Segment = i % 3 == 0 ? "≥ 60000" : i % 3 == 1 ? "< 30000" : "[30000, 60000)" });
        }

        regions.Health().Fairness!.Segments.Select(s => (s.Segment, s.Count)).Should().Equal(("north", 20), ("south", 20), ("other", 60));
        income.Health().Fairness!.Segments.Select(s => s.Segment).Should().Equal("< 30000", "[30000, 60000)", "≥ 60000");
    }

    [Fact]
    public void A_checkpoint_keeps_the_logged_groups_in_the_order_they_came_and_resumes_to_the_same_alerts()
    {
        var original = Watching(Gender);
        Send(original, new Draw(81), new Draw(1081), 0, 3_500, driftFrom: 3_000);

        var json = JsonSerializer.Serialize(original.Export(), CheckpointJson);
        var restored = new ModelMonitor(SyntheticModel.Name, new MonitoringOptions());
        restored.Import(JsonSerializer.Deserialize<MonitorState>(json, CheckpointJson)!, SyntheticModel.Profile(new()), Gender);
        restored.Health().Fairness.Should().BeEquivalentTo(original.Health().Fairness);

        var (a, b) = (Send(original, new Draw(82), new Draw(1082), 3_500, 7_000, driftFrom: 3_000), Send(restored, new Draw(82), new Draw(1082), 3_500, 7_000, driftFrom: 3_000));

        a.Should().Contain(x => x.Kind == DriftKind.SegmentDegraded);
        b.Select(x => x.AlertId).Should().Equal(a.Select(x => x.AlertId));
        JsonSerializer.Serialize(restored.Export(), CheckpointJson).Should().Be(JsonSerializer.Serialize(original.Export(), CheckpointJson));
    }

    [Fact]
    public void An_operators_override_wins_over_the_policys_column()
    {
        SegmentOptions Override(string column) => new() { Column = column, Bins = [1.0] };
        MonitoringOptions With(string column) => new() { Segments = { [SyntheticModel.Name] = Override(column) } };
        void Fill(ModelMonitor monitor) => Send(monitor, new Draw(91), new Draw(1091), 0, 600);

        // An input: read from the features with the override's bins, the logged gender ignored.
        var byAge = Watching(Gender, With("age"));
        Fill(byAge);
        byAge.Health().Fairness!.Should().BeEquivalentTo(new { Column = "age" });
        byAge.Health().Fairness!.Segments.Select(s => s.Segment).Should().BeSubsetOf(["< 1", "≥ 1", "(missing)"]);

        // The policy's own column: still the logged groups (the override tunes the windows).
        var byGender = Watching(Gender, With("gender"));
        Fill(byGender);
        byGender.Health().Fairness!.Segments.Select(s => s.Segment).Should().BeEquivalentTo(["male", "female"]);

        // Neither: unsegmented, saying why.
        var byRegion = Watching(Gender, With("region"));
        Fill(byRegion);
        byRegion.Health().Fairness.Should().BeNull();
        byRegion.Health().SegmentProblem.Should().Contain("'region' is neither an input of this version nor its training policy's segment column ('gender')");
    }
}
