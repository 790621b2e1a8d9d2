using Cascade.Bench.Drift.Scoring;
using Cascade.Bench.Drift.Streams;

namespace Cascade.DriftBench.Tests.Scoring;

public class DetectionScorerTests
{
    private static readonly DriftSchedule Abrupt = DriftSchedule.Every(100_000, 20_000, 0);

    [Fact]
    public void A_detection_inside_the_acceptance_window_detects_the_drift_with_its_delay()
    {
        var score = DetectionScorer.Score(Abrupt, [20_100, 40_249, 60_250, 80_000], acceptance: 250);

        score.Drifts.Should().Be(4);
        score.Delays.Should().Equal(100, 249, 0);
        score.FalseAlarms.Should().Be(1, "60,250 is one instance past the window of the drift at 60,000");
        score.Instances.Should().Be(100_000);
    }

    [Fact]
    public void A_wider_window_accepts_later_detections()
    {
        var score = DetectionScorer.Score(Abrupt, [20_600, 40_999, 61_000], acceptance: 1_000);

        score.Delays.Should().Equal(600, 999);
        score.FalseAlarms.Should().Be(1);
    }

    [Fact]
    public void Only_the_first_detection_of_a_drift_counts_the_others_are_false_alarms()
    {
        var score = DetectionScorer.Score(Abrupt, [5_000, 19_999, 20_010, 20_020, 20_100], acceptance: 250);

        score.Delays.Should().Equal(10);
        score.FalseAlarms.Should().Be(4);
    }

    [Fact]
    public void A_gradual_drift_is_timed_from_the_start_of_its_transition()
    {
        var gradual = DriftSchedule.Every(100_000, 20_000, 500);

        // Drift j's window runs from 250 before its position (the transition's start) to 250 + 250 after it.
        var score = DetectionScorer.Score(gradual, [19_749, 19_750, 40_499, 60_500], acceptance: 250);

        score.Delays.Should().Equal(0, 749);
        score.FalseAlarms.Should().Be(2, "19,749 is before the transition and 60,500 past the window");
    }

    [Fact]
    public void On_a_stationary_stream_every_detection_is_a_false_alarm()
    {
        var score = DetectionScorer.Score(DriftSchedule.Stationary(1_000_000), [10, 500_000], acceptance: 250);

        score.Drifts.Should().Be(0);
        score.FalseAlarms.Should().Be(2);
    }

    [Fact]
    public void Totals_pool_delays_for_the_mean_and_the_90th_percentile()
    {
        var totals = new ScoreTotals();
        totals.Add(new RunScore(4, [10, 20, 30, 40], 1, 100_000), 100_000, 0.5);
        totals.Add(new RunScore(4, [50, 60, 70, 80, 90, 100], 0, 100_000), 100_000, 0.5);

        totals.Drifts.Should().Be(8);
        totals.Detected.Should().Be(10);
        totals.MeanDelay.Should().Be(55);
        totals.P90Delay.Should().Be(90, "the nearest rank: the 9th of 10");
        totals.FalseAlarmsPer100k.Should().Be(0.5);
        totals.InstancesPerSecond.Should().Be(200_000);
    }
}
