using Cascade.Monitoring.Domain.Detectors;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Detectors;

public class PageHinkleyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_stationary_loss_stream_of_20k_samples_raises_no_detection(int seed)
    {
        var detector = new PageHinkley(new PageHinkleyOptions());

        LossStreams.Detections(LossStreams.Losses(new Draw(seed), 20_000, _ => 0.2), detector.Update).Should().BeEmpty();
        detector.Estimation.Should().BeApproximately(0.2, 0.01);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void An_abrupt_rise_of_the_mean_loss_from_02_to_05_is_detected_within_400_samples(int seed)
    {
        var detector = new PageHinkley(new PageHinkleyOptions());
        const int shift = 10_000;

        var hits = LossStreams.Detections(LossStreams.Losses(new Draw(seed), shift + 1_000, i => i < shift ? 0.2 : 0.5), detector.Update);

        hits.Should().NotBeEmpty();
        // λ / (0.5 − 0.2 − δ) ≈ 170 samples of accumulated excess, plus noise.
        hits[0].Should().BeInRange(shift, shift + 400);
        detector.LastStatistic.Should().BeGreaterThan(detector.LastThreshold);
        detector.LastChange.Should().BeInRange(0.05, 0.45, "a rough estimate (the change point is where the sum last left zero) with the right sign");
    }

    [Fact]
    public void A_gradual_rise_is_detected_before_the_ramp_ends()
    {
        var detector = new PageHinkley(new PageHinkleyOptions());
        var hits = LossStreams.Detections(
            LossStreams.Losses(new Draw(9), 10_000, i => i < 5_000 ? 0.2 : 0.2 + 0.4 * (i - 5_000) / 5_000.0), detector.Update);

        hits.Should().NotBeEmpty();
        hits[0].Should().BeInRange(5_000, 10_000);
    }

    [Fact]
    public void A_fall_of_the_mean_is_not_a_detection()
    {
        var detector = new PageHinkley(new PageHinkleyOptions());

        LossStreams.Detections(LossStreams.Losses(new Draw(14), 20_000, i => i < 10_000 ? 0.5 : 0.1), detector.Update).Should().BeEmpty();
    }

    [Fact]
    public void After_a_detection_the_new_level_becomes_the_baseline()
    {
        var detector = new PageHinkley(new PageHinkleyOptions());

        var hits = LossStreams.Detections(LossStreams.Losses(new Draw(15), 20_000, i => i < 5_000 ? 0.2 : 0.5), detector.Update);

        hits.Should().ContainSingle("the detector restarts at the new level instead of firing again and again");
        detector.Estimation.Should().BeApproximately(0.5, 0.03);
    }

    [Fact]
    public void An_exported_state_resumes_to_the_same_decisions()
    {
        var options = new PageHinkleyOptions();
        var original = new PageHinkley(options);
        var values = LossStreams.Losses(new Draw(16), 8_000, i => i < 6_000 ? 0.2 : 0.5).ToArray();
        foreach (var value in values[..5_000]) original.Update(value);

        var resumed = new PageHinkley(options);
        resumed.Import(original.Export());

        values[5_000..].Select(original.Update).Should().Equal(values[5_000..].Select(resumed.Update));
        resumed.Detections.Should().Be(original.Detections).And.Be(1);
    }
}
