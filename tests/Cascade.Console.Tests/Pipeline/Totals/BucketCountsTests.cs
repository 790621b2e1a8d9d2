using Cascade.WebConsole.Pipeline.Totals;

namespace Cascade.WebConsole.Tests.Pipeline.Totals;

/// <summary>Quantiles from cumulative buckets, as PromQL's histogram_quantile estimates them.</summary>
public sealed class BucketCountsTests
{
    private static BucketCounts Buckets(params (double Bound, double Count)[] buckets) => new(buckets.ToDictionary(b => b.Bound, b => b.Count));

    [Fact]
    public void A_quantile_is_interpolated_within_the_bucket_that_reaches_its_rank()
    {
        // 10 observations: 2 at or below 10 ms, 8 in (10, 20], none above.
        var buckets = Buckets((10, 2), (20, 10), (50, 10), (double.PositiveInfinity, 10));

        buckets.Total.Should().Be(10);
        buckets.Quantile(0.5).Should().Be(10 + 10 * (5.0 - 2) / 8, "rank 5 lies 3/8 into (10, 20]");
        buckets.Quantile(0.1).Should().Be(5, "the first bucket's lower bound is 0");
        buckets.Quantile(0.99).Should().BeApproximately(10 + 10 * (9.9 - 2) / 8, 1e-9);
    }

    [Fact]
    public void A_quantile_in_the_infinite_bucket_is_the_highest_finite_bound()
    {
        var buckets = Buckets((10, 1), (20, 2), (double.PositiveInfinity, 10));
        buckets.Quantile(0.99).Should().Be(20);
    }

    [Fact]
    public void Nothing_observed_gives_zero_and_a_histogram_without_its_infinite_bucket_counts_nothing()
    {
        Buckets((10, 0), (double.PositiveInfinity, 0)).Quantile(0.5).Should().Be(0);
        Buckets((10, 4)).Total.Should().Be(0);
    }

    [Fact]
    public void Since_counts_only_the_observations_made_after_an_earlier_read()
    {
        var earlier = Buckets((10, 5), (20, 5), (double.PositiveInfinity, 5));
        var now = Buckets((10, 5), (20, 9), (double.PositiveInfinity, 9));

        var recent = now.Since(earlier);

        recent.Total.Should().Be(4);
        recent.CountAt(10).Should().Be(0);
        recent.Quantile(0.5).Should().Be(15, "the four new observations all lie in (10, 20]");
    }

    [Fact]
    public void A_quantile_outside_zero_to_one_is_refused() =>
        FluentActions.Invoking(() => Buckets((double.PositiveInfinity, 1)).Quantile(1.5)).Should().Throw<ArgumentOutOfRangeException>();
}
