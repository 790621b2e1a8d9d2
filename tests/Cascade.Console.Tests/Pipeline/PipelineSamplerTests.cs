using System.Diagnostics.Metrics;
using Cascade.WebConsole.Pipeline;

namespace Cascade.WebConsole.Tests.Pipeline;

/// <summary>
/// The sampler reads instruments by name, so a meter made here stands for a service's. Instruments are process-wide
/// (in-process hosts of other tests publish too): each test uses names of its own and reads only those.
/// </summary>
public sealed class PipelineSamplerTests
{
    private readonly ManualTime _time = new(DateTimeOffset.Parse("2026-12-06T12:00:00Z"));

    [Fact]
    public void Rates_are_counter_increases_over_the_time_since_the_oldest_snapshot()
    {
        using var meter = new Meter("Cascade.Ingestion.Test");
        var records = meter.CreateCounter<long>("cascade.ingestion.records");
        var predictions = meter.CreateCounter<long>("cascade.serving.predictions");
        using var sampler = new PipelineSampler(_time);
        var dataset = $"sampler-{Guid.NewGuid():N}";
        var model = $"model-{Guid.NewGuid():N}";

        records.Add(300, new("dataset", dataset), new("outcome", "accepted"));
        records.Add(7, new("dataset", dataset), new("outcome", "rejected"));
        predictions.Add(50, new("model", model), new("version", 1), new("role", "champion"));
        predictions.Add(10, new("model", model), new("version", 2), new("role", "canary"));
        predictions.Add(20, new("model", model), new("version", 2), new("role", "shadow"));
        _time.Advance(TimeSpan.FromSeconds(10));

        var status = sampler.Read(["cascade.ingestion.v1.Ingestion"]);
        status.RateWindowSeconds.Should().Be(10);
        var ingest = status.Ingest.Single(i => i.Dataset == dataset);
        ingest.AcceptedPerSecond.Should().Be(30);
        ingest.AcceptedTotal.Should().Be(300);
        ingest.RejectedTotal.Should().Be(7);
        var served = status.Predictions.Single(p => p.Model == model);
        served.PredictionsTotal.Should().Be(60, "shadow scores are not answers");
        served.PredictionsPerSecond.Should().Be(6);
        served.CanaryPerSecond.Should().Be(1);
        served.ShadowPerSecond.Should().Be(2);
        status.Sources.Should().Equal("cascade.ingestion.v1.Ingestion");
    }

    [Fact]
    public void Consumer_lag_is_summed_over_partitions_per_group_and_topic()
    {
        using var meter = new Meter("Cascade.EventLog.Test");
        var group = $"group-{Guid.NewGuid():N}";
        meter.CreateObservableGauge("cascade.eventlog.consumer.lag", () => new[]
        {
            new Measurement<long>(5, new("group", group), new("topic", "t"), new("partition", 0)),
            new Measurement<long>(7, new("group", group), new("topic", "t"), new("partition", 1)),
        });
        using var sampler = new PipelineSampler(_time);

        sampler.Read([]).ConsumerLag.Single(l => l.Group == group).Lag.Should().Be(12);
    }

    [Fact]
    public void Freshness_percentiles_cover_the_most_recent_records()
    {
        var window = new FreshnessWindow(100);
        for (var i = 1; i <= 300; i++) window.Add(i); // the last 100: 201..300
        window.Percentiles().Should().Be((250.0, 299.0, 100L));
        new FreshnessWindow(10).Percentiles().Should().Be((0.0, 0.0, 0L));
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
