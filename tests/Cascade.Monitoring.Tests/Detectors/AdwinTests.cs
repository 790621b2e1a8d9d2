using Cascade.Monitoring.Domain.Detectors;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Detectors;

public class AdwinTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_stationary_error_stream_of_20k_samples_raises_no_detection(int seed)
    {
        var adwin = new Adwin(new AdwinOptions());

        var hits = LossStreams.Detections(LossStreams.Errors(new Draw(seed), 20_000, _ => 0.2), adwin.Update);

        hits.Should().BeEmpty();
        adwin.Width.Should().Be(20_000, "without a cut the window keeps every value");
        adwin.Estimation.Should().BeApproximately(0.2, 0.01);
    }

    [Fact]
    public void A_stationary_continuous_loss_stream_raises_no_detection()
    {
        var adwin = new Adwin(new AdwinOptions());

        LossStreams.Detections(LossStreams.Losses(new Draw(4), 20_000, _ => 0.15), adwin.Update).Should().BeEmpty();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void An_abrupt_rise_of_the_error_rate_from_02_to_05_is_detected_within_300_samples_and_the_window_drops_the_old_part(int seed)
    {
        var adwin = new Adwin(new AdwinOptions());
        const int shift = 10_000;

        var hits = LossStreams.Detections(LossStreams.Errors(new Draw(seed), shift + 2_000, i => i < shift ? 0.2 : 0.5), adwin.Update);

        hits.Should().NotBeEmpty();
        hits[0].Should().BeInRange(shift, shift + 300);
        adwin.Detections.Should().BeGreaterThanOrEqualTo(1);
        adwin.Width.Should().BeLessThan(2_500, "the pre-change values were dropped");
        adwin.Estimation.Should().BeApproximately(0.5, 0.06);
    }

    [Fact]
    public void The_first_detection_reports_the_direction_and_size_of_the_change()
    {
        var adwin = new Adwin(new AdwinOptions());
        var draw = new Draw(8);
        var rising = LossStreams.Detections(LossStreams.Errors(draw, 6_000, i => i < 5_000 ? 0.2 : 0.5), adwin.Update);
        rising.Should().NotBeEmpty();
        var firstChange = adwin.LastChange;

        var falling = new Adwin(new AdwinOptions());
        LossStreams.Detections(LossStreams.Errors(draw, 6_000, i => i < 5_000 ? 0.5 : 0.2), falling.Update).Should().NotBeEmpty();

        firstChange.Should().BeGreaterThan(0.1);
        falling.LastChange.Should().BeLessThan(-0.1);
        adwin.LastStatistic.Should().BeGreaterThan(adwin.LastThreshold);
    }

    [Fact]
    public void A_gradual_rise_is_detected_before_the_ramp_ends()
    {
        var adwin = new Adwin(new AdwinOptions());
        // Stable at 0.2 for 5k, then a linear ramp to 0.6 over 5k samples.
        var hits = LossStreams.Detections(
            LossStreams.Errors(new Draw(9), 10_000, i => i < 5_000 ? 0.2 : 0.2 + 0.4 * (i - 5_000) / 5_000.0), adwin.Update);

        hits.Should().NotBeEmpty();
        hits[0].Should().BeInRange(5_000, 10_000);
    }

    [Fact]
    public void Memory_grows_logarithmically_with_the_window()
    {
        var adwin = new Adwin(new AdwinOptions());
        foreach (var value in LossStreams.Errors(new Draw(10), 100_000, _ => 0.3)) adwin.Update(value);

        adwin.Width.Should().Be(100_000);
        // M buckets per row, log2(W) + 1 rows.
        adwin.BucketCount.Should().BeLessThanOrEqualTo(5 * (int)(Math.Log2(100_000) + 1));
    }

    [Fact]
    public void Mean_and_variance_match_a_direct_computation_over_the_window()
    {
        var adwin = new Adwin(new AdwinOptions());
        var values = LossStreams.Losses(new Draw(12), 3_000, _ => 0.2).ToArray();
        foreach (var value in values) adwin.Update(value);

        var mean = values.Average();
        adwin.Estimation.Should().BeApproximately(mean, 1e-12);
        adwin.Variance.Should().BeApproximately(values.Average(v => (v - mean) * (v - mean)), 1e-10);
    }

    [Fact]
    public void An_exported_state_resumes_to_the_same_decisions()
    {
        var options = new AdwinOptions();
        var original = new Adwin(options);
        var values = LossStreams.Errors(new Draw(13), 8_000, i => i < 6_000 ? 0.2 : 0.5).ToArray();
        foreach (var value in values[..5_000]) original.Update(value);

        var resumed = new Adwin(options);
        resumed.Import(original.Export());

        values[5_000..].Select(original.Update).Should().Equal(values[5_000..].Select(resumed.Update));
        resumed.Width.Should().Be(original.Width);
        resumed.Estimation.Should().Be(original.Estimation);
    }

    [Fact]
    public void Non_finite_values_are_refused()
    {
        var adwin = new Adwin(new AdwinOptions());
        adwin.Invoking(a => a.Update(double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
