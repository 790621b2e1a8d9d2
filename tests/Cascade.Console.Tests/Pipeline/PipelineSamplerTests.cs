using Cascade.WebConsole.Options;
using Cascade.WebConsole.Pipeline;
using Cascade.WebConsole.Pipeline.Scraping;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.WebConsole.Tests.Pipeline;

/// <summary>
/// The sampler over sources whose text the test sets, as services' <c>/metrics</c> would change between reads: rates
/// from the windows, figures only from the areas a source stands for, and a source that fails leaving out its figures only.
/// </summary>
public sealed class PipelineSamplerTests
{
    private readonly ManualTime _time = new(DateTimeOffset.Parse("2026-12-06T12:00:00Z"));

    private static string Ingestion(long accepted, long rejected) => $$"""
        # HELP cascade_ingestion_records_total Records Ingestion answered for, by dataset and outcome.
        # TYPE cascade_ingestion_records_total counter
        cascade_ingestion_records_total{dataset="sensors",outcome="accepted",otel_scope_name="Cascade.Ingestion"} {{accepted}}
        cascade_ingestion_records_total{dataset="sensors",outcome="rejected",otel_scope_name="Cascade.Ingestion"} {{rejected}}

        """;

    private static string Serving(long champion, long canary, long shadow, long lag) => $$"""
        # TYPE cascade_serving_predictions_total counter
        cascade_serving_predictions_total{model="m",role="champion",version="1"} {{champion}}
        cascade_serving_predictions_total{model="m",role="canary",version="2"} {{canary}}
        cascade_serving_predictions_total{model="m",role="shadow",version="2"} {{shadow}}
        # TYPE cascade_eventlog_consumer_lag gauge
        cascade_eventlog_consumer_lag{group="serving-promotions",partition="0",topic="cascade.registry.model-promoted.v1"} {{lag}}
        cascade_eventlog_consumer_lag{group="serving-promotions",partition="1",topic="cascade.registry.model-promoted.v1"} 1
        # A process exports what it hosts: records counted here are not Serving's figure.
        cascade_ingestion_records_total{dataset="sensors",outcome="accepted"} 999999

        """;

    [Fact]
    public async Task Rates_come_from_the_increase_of_each_services_totals_between_reads()
    {
        var ingestion = new TextSource(Ingestion(1000, 3));
        var serving = new TextSource(Serving(500, 50, 20, lag: 4));
        using var sampler = Sampler(Target("ingestion", ingestion), Target("serving", serving));

        await sampler.SampleAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));
        ingestion.Text = Ingestion(1300, 7);
        serving.Text = Serving(560, 60, 40, lag: 2);
        await sampler.SampleAsync(CancellationToken.None);

        var status = sampler.Read();
        status.RateWindowSeconds.Should().Be(10);
        status.Sources.Should().Equal("cascade.ingestion.v1.Ingestion", "cascade.serving.v1.Serving");
        var ingest = status.Ingest.Should().ContainSingle().Which;
        (ingest.Dataset, ingest.AcceptedPerSecond, ingest.AcceptedTotal, ingest.RejectedTotal).Should().Be(("sensors", 30.0, 1300L, 7L), "Serving's copy of the records counter is not Ingestion's figure");
        var predictions = status.Predictions.Should().ContainSingle().Which;
        predictions.PredictionsTotal.Should().Be(620, "shadow scores answer no one");
        predictions.PredictionsPerSecond.Should().Be(7);
        predictions.CanaryPerSecond.Should().Be(1);
        predictions.ShadowPerSecond.Should().Be(2);
        var lag = status.ConsumerLag.Should().ContainSingle().Which;
        (lag.Group, lag.Topic, lag.Lag).Should().Be(("serving-promotions", "cascade.registry.model-promoted.v1", 3L), "lag is the newest gauge, summed over partitions");
    }

    [Fact]
    public async Task A_service_that_fails_is_unavailable_for_its_figures_only_until_it_answers_again()
    {
        var ingestion = new TextSource(Ingestion(1000, 0));
        var serving = new TextSource(Serving(500, 0, 0, lag: 0));
        using var sampler = Sampler(Target("ingestion", ingestion), Target("serving", serving));
        await sampler.SampleAsync(CancellationToken.None);

        serving.Failure = new HttpRequestException("connection refused");
        await sampler.SampleAsync(CancellationToken.None);

        var status = sampler.Read();
        status.Sources.Should().Equal("cascade.ingestion.v1.Ingestion");
        status.Predictions.Should().BeEmpty();
        status.ConsumerLag.Should().BeEmpty();
        status.Ingest.Should().ContainSingle().Which.AcceptedTotal.Should().Be(1000);

        serving.Failure = null;
        await sampler.SampleAsync(CancellationToken.None);
        sampler.Read().Sources.Should().Equal("cascade.ingestion.v1.Ingestion", "cascade.serving.v1.Serving");
    }

    [Fact]
    public async Task Text_that_breaks_the_format_or_a_read_past_its_timeout_makes_the_service_unavailable()
    {
        var broken = new TextSource("cascade_serving_predictions_total{model=\"m\" 5\n");
        var silent = new TextSource(Ingestion(1, 0)) { Hang = true };
        using var sampler = Sampler(Target("serving", broken), Target("ingestion", silent));

        await sampler.SampleAsync(CancellationToken.None);

        sampler.Read().Sources.Should().BeEmpty();
    }

    private PipelineSampler Sampler(params MetricsTarget[] targets) =>
        new(targets, new PipelineFiguresOptions { ScrapeTimeoutSeconds = 1 }, NullLogger<PipelineSampler>.Instance, _time);

    private static MetricsTarget Target(string area, IMetricsSource source) =>
        new(area, new HashSet<string>([area]), () => [$"cascade.{area}.v1.{char.ToUpperInvariant(area[0])}{area[1..]}"], source);

    private sealed class TextSource(string text) : IMetricsSource
    {
        public string Text { get; set; } = text;

        public Exception? Failure { get; set; }

        public bool Hang { get; init; }

        public async Task<string> ReadAsync(CancellationToken cancellationToken)
        {
            if (Hang) await Task.Delay(Timeout.Infinite, cancellationToken);
            return Failure is null ? Text : throw Failure;
        }
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
