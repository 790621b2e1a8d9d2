using Cascade.WebConsole.Pipeline.Totals;

namespace Cascade.WebConsole.Tests.Pipeline.Totals;

/// <summary>Rates from a sliding window of reads of one service's totals.</summary>
public sealed class TotalsWindowTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-06T12:00:00Z");

    private static ServiceTotals Accepted(double total) => new(
        new Dictionary<(string, string), double> { [("sensors", "accepted")] = total },
        new Dictionary<(string, string), double>(),
        new Dictionary<(string, string, string), double>(),
        new Dictionary<string, BucketCounts>());

    private static double? AcceptedOf(ServiceTotals totals) => totals.Records.TryGetValue(("sensors", "accepted"), out var v) ? v : null;

    [Fact]
    public void A_rate_is_the_increase_from_the_oldest_read_to_the_newest_over_the_time_between()
    {
        var window = new TotalsWindow(TimeSpan.FromSeconds(60));
        window.Add(Start, Accepted(1000));
        window.Rate(AcceptedOf).Should().Be(0, "one read gives no rate");
        window.Add(Start.AddSeconds(5), Accepted(1100));
        window.Add(Start.AddSeconds(10), Accepted(1300));

        window.Seconds.Should().Be(10);
        window.Rate(AcceptedOf).Should().Be(30);
        window.Available.Should().BeTrue();
    }

    [Fact]
    public void The_window_slides_keeping_the_newest_read_at_least_a_span_old()
    {
        var window = new TotalsWindow(TimeSpan.FromSeconds(20));
        for (var i = 0; i <= 10; i++) window.Add(Start.AddSeconds(5 * i), Accepted(i < 5 ? 100 * i : 400 + 10 * (i - 4)));
        // Reads at 0..50 s; the newest at least 20 s old is the one at 30 s (420), the newest at 50 s holds 460: the
        // fast start (100 per read) has slid out.
        window.Seconds.Should().Be(20);
        window.Rate(AcceptedOf).Should().Be(2);
    }

    [Fact]
    public void A_total_that_went_down_restarts_the_window_instead_of_counting_as_an_increase()
    {
        var window = new TotalsWindow(TimeSpan.FromSeconds(60));
        window.Add(Start, Accepted(5000));
        window.Add(Start.AddSeconds(5), Accepted(5500));
        window.Add(Start.AddSeconds(10), Accepted(40)); // another process answered (a restart, another replica)

        window.Seconds.Should().Be(0);
        window.Rate(AcceptedOf).Should().Be(0);
        window.Add(Start.AddSeconds(15), Accepted(90));
        window.Rate(AcceptedOf).Should().Be(10);
    }

    [Fact]
    public void A_series_that_appears_within_the_window_counts_from_its_first_read()
    {
        var window = new TotalsWindow(TimeSpan.FromSeconds(60));
        window.Add(Start, ServiceTotals.Empty);
        window.Add(Start.AddSeconds(10), Accepted(700));
        window.Add(Start.AddSeconds(20), Accepted(800));

        window.Rate(AcceptedOf).Should().Be(10, "700 arrived before its first read, at an unknown time: PromQL's rate ignores it too");
    }

    [Fact]
    public void A_failed_read_makes_the_service_unavailable_until_it_answers_and_its_rates_start_again()
    {
        var window = new TotalsWindow(TimeSpan.FromSeconds(60));
        window.Add(Start, Accepted(100));
        window.Add(Start.AddSeconds(5), Accepted(200));

        window.Fail("connection refused");

        window.Available.Should().BeFalse();
        window.Failure.Should().Be("connection refused");
        window.Add(Start.AddSeconds(10), Accepted(300));
        window.Available.Should().BeTrue();
        window.Failure.Should().BeNull();
        window.Rate(AcceptedOf).Should().Be(0, "the rate counts from the read after the outage");
    }
}
