using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cascade.Hosting;
using Cascade.WebConsole.Forwarding;
using Microsoft.AspNetCore.Builder;

namespace Cascade.WebConsole.Tests.Forwarding;

/// <summary>
/// The console as its own process, as the distributed deployment runs it: every area forwarded to an upstream (here one
/// all-in-one host stands for the six services), the live stream read from the upstream's Monitoring. The page's calls
/// reach the services through it, with their credentials, and a service that does not answer is a 502 that says which.
/// </summary>
public sealed class DistributedConsoleTests : IAsyncLifetime
{
    private readonly string _upstreamData = Directory.CreateTempSubdirectory("cascade-console-upstream-").FullName;
    private readonly string _consoleData = Directory.CreateTempSubdirectory("cascade-console-process-").FullName;
    private InProcessHost _upstream = null!;
    private WebApplication _console = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _upstream = await InProcessHost.StartAsync(_upstreamData);
        var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _consoleData };
        var areas = ServiceRoutes.Services.Select(ServiceRoutes.AreaOf).ToArray();
        _console = ServiceHost.Build(options, [], (services, _) => services.AddCascadeConsole(o =>
        {
            o.MonitoringAddress = _upstream.Grpc;
            foreach (var area in areas) o.Upstreams[area] = _upstream.Http;
        }), _ => { });
        await _console.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(ServiceHost.GetAddresses(_console, options.BindAddress).Http) };
    }

    [Fact]
    public async Task The_page_and_the_services_REST_APIs_are_served_on_the_console_origin()
    {
        (await _http.GetStringAsync("/")).Should().Contain("/console/app.js?v=");
        var created = await _http.PostAsJsonAsync("/v1/models", new { name = "through-console", description = "created through the console" });
        created.StatusCode.Should().Be(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        var model = await _http.GetFromJsonAsync<JsonElement>("/v1/models/through-console");
        model.GetProperty("description").GetString().Should().Be("created through the console");
        var missing = await _http.GetAsync("/v1/models/nobody");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound, "the service's own answer comes back unchanged");
        var pipeline = await _http.GetAsync("/v1/pipeline");
        pipeline.StatusCode.Should().Be(HttpStatusCode.OK, "the console serves the pipeline's figures itself, from the services' /metrics");
        (await pipeline.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sources").EnumerateArray().Should().BeEmpty("no service's /metrics URL is set here, so no figure has a source");
    }

    [Fact]
    public async Task The_live_stream_opens_through_the_console_with_the_upstream_Monitoring()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console/api/alerts/stream");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().Be("event: open");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _console.StopAsync();
        await _console.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_upstreamData, recursive: true);
        Directory.Delete(_consoleData, recursive: true);
    }
}
