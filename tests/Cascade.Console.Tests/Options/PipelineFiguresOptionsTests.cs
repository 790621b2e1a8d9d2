using Cascade.WebConsole.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.WebConsole.Tests.Options;

public sealed class PipelineFiguresOptionsTests
{
    [Fact]
    public void Defaults_read_every_5_s_rate_over_60_s_and_name_no_service_urls()
    {
        var options = new PipelineFiguresOptions();
        options.MetricsUrls.Should().BeEmpty();
        options.SampleIntervalSeconds.Should().Be(5);
        options.RateWindowSeconds.Should().Be(60);
        options.ScrapeTimeoutSeconds.Should().Be(3);
        new ServiceCollection().AddCascadeConsole().Should().Contain(d => d.ServiceType == typeof(PipelineFiguresOptions));
    }

    [Theory]
    [InlineData("servng", "http://127.0.0.1:8087/metrics", "no such service")]
    [InlineData("serving", "127.0.0.1:8087/metrics", "is not an HTTP URL")]
    [InlineData("serving", "ftp://127.0.0.1/metrics", "is not an HTTP URL")]
    public void A_bad_metrics_url_is_refused_at_start_with_its_key(string area, string url, string message)
    {
        var add = () => new ServiceCollection().AddCascadeConsole(
            o =>
            {
                o.Upstreams["serving"] = "http://127.0.0.1:8087";
                o.MonitoringAddress = "http://127.0.0.1:50058";
            },
            o => o.MetricsUrls[area] = url);
        add.Should().Throw<OptionsValidationException>().WithMessage($"*Cascade:Console:Pipeline:MetricsUrls:{area}*{message}*");
    }

    [Fact]
    public void Metrics_urls_are_refused_on_a_console_that_reads_its_own_process() =>
        FluentActions.Invoking(() => new ServiceCollection().AddCascadeConsole(figures: o => o.MetricsUrls["serving"] = "http://127.0.0.1:8087/metrics"))
            .Should().Throw<OptionsValidationException>().WithMessage("*MetricsUrls*reads its own process's totals*");

    [Theory]
    [InlineData(10, 15, "RateWindowSeconds")]
    [InlineData(0, 60, "SampleIntervalSeconds")]
    public void A_window_that_cannot_hold_two_reads_or_an_interval_out_of_range_is_refused(int interval, int window, string key) =>
        FluentActions.Invoking(() => new ServiceCollection().AddCascadeConsole(figures: o => (o.SampleIntervalSeconds, o.RateWindowSeconds) = (interval, window)))
            .Should().Throw<OptionsValidationException>().WithMessage($"*{key}*");
}
