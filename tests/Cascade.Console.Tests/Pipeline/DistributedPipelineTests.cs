using Cascade.Contracts.Pipeline.V1;
using Cascade.Hosting;
using Cascade.Ingestion;
using Cascade.WebConsole.Tests.Browser;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cascade.WebConsole.Tests.Pipeline;

/// <summary>
/// The distributed console's figures: Ingestion as a host of its own (its real module, as its Program runs it), an
/// all-in-one host standing for Features and Serving, and the console process reading each one's <c>/metrics</c> by URL.
/// Ingestion's figures come from Ingestion's process; when it stops, they alone become unavailable.
/// </summary>
public sealed class DistributedPipelineTests : IAsyncLifetime
{
    private readonly string _ingestionData = Directory.CreateTempSubdirectory("cascade-figures-ingestion-").FullName;
    private readonly string _othersData = Directory.CreateTempSubdirectory("cascade-figures-others-").FullName;
    private readonly string _consoleData = Directory.CreateTempSubdirectory("cascade-figures-console-").FullName;
    private WebApplication _ingestion = null!;
    private bool _ingestionStopped;
    private GrpcChannel _ingestionChannel = null!;
    private InProcessHost _others = null!;
    private WebApplication _console = null!;
    private GrpcChannel _consoleChannel = null!;
    private string _consoleHttp = null!;

    public async Task InitializeAsync()
    {
        var ingestion = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _ingestionData };
        _ingestion = ServiceHost.Build(ingestion, [Contracts.Ingestion.V1.Ingestion.Descriptor.FullName],
            (services, data) => services.AddCascadeIngestion(o => o.DatabasePath = Path.Combine(data, "ingestion.db")), _ => { });
        await _ingestion.StartAsync();
        var (ingestionGrpc, ingestionHttp) = ServiceHost.GetAddresses(_ingestion, ingestion.BindAddress);
        _ingestionChannel = GrpcChannel.ForAddress(ingestionGrpc);
        _others = await InProcessHost.StartAsync(_othersData);

        var console = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _consoleData };
        _console = ServiceHost.Build(console, [Contracts.Pipeline.V1.Pipeline.Descriptor.FullName], (services, _) => services.AddCascadeConsole(
            o =>
            {
                o.MonitoringAddress = _others.Grpc;
                o.Upstreams["ingestion"] = ingestionHttp;
                foreach (var area in new[] { "features", "registry", "training", "serving", "monitoring" }) o.Upstreams[area] = _others.Http;
            },
            o =>
            {
                o.SampleIntervalSeconds = 1;
                o.RateWindowSeconds = 10;
                o.ScrapeTimeoutSeconds = 2;
                o.MetricsUrls["ingestion"] = ingestionHttp + "/metrics";
                o.MetricsUrls["features"] = _others.Http + "/metrics";
                o.MetricsUrls["serving"] = _others.Http + "/metrics";
            }), _ => { });
        await _console.StartAsync();
        var (consoleGrpc, consoleHttp) = ServiceHost.GetAddresses(_console, console.BindAddress);
        _consoleChannel = GrpcChannel.ForAddress(consoleGrpc);
        _consoleHttp = consoleHttp;
    }

    [Fact]
    public async Task Each_services_figures_come_from_its_own_metrics_and_a_stopped_service_is_unavailable_for_its_figures_only()
    {
        var dataset = SensorRecords.NewDataset();
        (await SensorRecords.IngestAsync(_ingestionChannel, dataset, 25)).Should().Be(25);
        var pipeline = new Contracts.Pipeline.V1.Pipeline.PipelineClient(_consoleChannel);
        Task<PipelineStatus> Read() => pipeline.GetPipelineStatusAsync(new GetPipelineStatusRequest()).ResponseAsync;

        var status = await Eventually.WaitForAsync(Read, s => s.Ingest.Any(i => i.Dataset == dataset && i.AcceptedTotal == 25), $"the console counts the 25 records of {dataset}");
        status.Sources.Should().Equal("cascade.features.v1.Features", "cascade.ingestion.v1.Ingestion", "cascade.serving.v1.Serving");

        await StopIngestionAsync();

        status = await Eventually.WaitForAsync(Read, s => !s.Sources.Contains("cascade.ingestion.v1.Ingestion"), "the console finds Ingestion gone");
        status.Ingest.Should().BeEmpty("Ingestion's figures come from Ingestion alone, though the other process exports the same counter (instruments are process-wide in a test)");
        status.Sources.Should().Equal("cascade.features.v1.Features", "cascade.serving.v1.Serving");

        // The page says so in Ingestion's stage only.
        await using var browser = await ConsoleBrowser.LaunchAsync();
        var console = await browser.OpenAsync(_consoleHttp + "/");
        ILocator Stage(string title) => console.Page.Locator("#pipeline .stage").Filter(new() { Has = console.Page.GetByRole(AriaRole.Heading, new() { Name = title, Exact = true }) });
        await Expect(Stage("Ingestion")).ToContainTextAsync("unavailable");
        await Expect(Stage("Serving")).Not.ToContainTextAsync("unavailable");
        await Expect(Stage("Features")).Not.ToContainTextAsync("unavailable");
        await Expect(console.Page.Locator("#pipeline-note")).ToContainTextAsync("Unavailable: ingestion");
        console.AssertNoErrors();
    }

    private async Task StopIngestionAsync()
    {
        if (_ingestionStopped) return;
        _ingestionStopped = true;
        _ingestionChannel.Dispose();
        await _ingestion.StopAsync();
        await _ingestion.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        _consoleChannel.Dispose();
        await _console.StopAsync();
        await _console.DisposeAsync();
        await StopIngestionAsync();
        await _others.DisposeAsync();
        foreach (var data in new[] { _ingestionData, _othersData, _consoleData }) Directory.Delete(data, recursive: true);
    }
}
