using System.Diagnostics.Metrics;
using Cascade.WebConsole.Pipeline;
using Cascade.Contracts.Pipeline.V1;

namespace Cascade.WebConsole.Tests.Pipeline;

/// <summary>
/// The all-in-one host's pipeline figures: read from the totals its own <c>/metrics</c> exports, with nothing listening
/// to single predictions or records beside OpenTelemetry.
/// </summary>
public sealed class AllInOnePipelineTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-console-figures-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data, "--Cascade:Console:Pipeline:SampleIntervalSeconds=1");

    [Fact]
    public void Nothing_in_the_host_listens_to_single_predictions_or_records()
    {
        // Instruments named as Serving's and Ingestion's, in a meter no exporter subscribes to ("Cascade.*" is what
        // OpenTelemetry takes): whatever enables them listens by instrument name to every measurement, as the console's
        // sampler once did, doing per prediction what OpenTelemetry already does.
        using var meter = new Meter("Probe.ConsoleFigures");
        var predictions = meter.CreateCounter<long>("cascade.serving.predictions");
        var records = meter.CreateCounter<long>("cascade.ingestion.records");

        _host.Host.Services.GetService(typeof(PipelineSampler)).Should().NotBeNull("the host does serve pipeline figures");
        predictions.Enabled.Should().BeFalse();
        records.Enabled.Should().BeFalse();
    }

    [Fact]
    public async Task The_figures_are_the_totals_its_metrics_endpoint_exports_and_nothing_else()
    {
        // Records counted by an instrument of that name outside Cascade's meters: /metrics does not export them, so
        // figures made from its totals do not show them (a listener by instrument name would).
        using var meter = new Meter("Probe.ConsoleFigures.Outside");
        var outside = SensorRecords.NewDataset();
        meter.CreateCounter<long>("cascade.ingestion.records").Add(5, new("dataset", outside), new("outcome", "accepted"));
        var dataset = SensorRecords.NewDataset();
        var accepted = await SensorRecords.IngestAsync(_host.Channel, dataset, 40);
        accepted.Should().Be(40);
        var pipeline = new Contracts.Pipeline.V1.Pipeline.PipelineClient(_host.Channel);

        var status = await Eventually.WaitForAsync(
            async () => await pipeline.GetPipelineStatusAsync(new GetPipelineStatusRequest()),
            s => s.Ingest.Any(i => i.Dataset == dataset && i.AcceptedTotal == 40), $"the figures count the 40 records of {dataset}");

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(_host.Http + "/metrics");
        metrics.Should().MatchRegex($"cascade_ingestion_records_total\\{{[^}}]*dataset=\"{dataset}\"[^}}]*outcome=\"accepted\"[^}}]*\\}} 40\\b", "the figure is the exported total");
        status.Sources.Should().Contain(["cascade.ingestion.v1.Ingestion", "cascade.serving.v1.Serving", "cascade.features.v1.Features"]);
        status.Sources.Should().NotContain(Contracts.Pipeline.V1.Pipeline.Descriptor.FullName);
        status.Ingest.Should().NotContain(i => i.Dataset == outside, "the figures read with the 40 records hold only what /metrics exports");
        metrics.Should().NotContain(outside);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
