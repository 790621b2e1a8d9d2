using Cascade.Host;
using Cascade.Interop.Tests.Peers;
using Microsoft.AspNetCore.Builder;

namespace Cascade.Interop.Tests;

/// <summary>The all-in-one host that <c>./cascade up</c> runs, probed by grpc-js with the standard health proto.</summary>
public sealed class AllInOneHostTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-host-").FullName;
    private WebApplication? _host;
    private string _grpcTarget = string.Empty;
    private string _httpAddress = string.Empty;

    public async Task InitializeAsync()
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        var (grpc, http) = AllInOneHost.GetAddresses(_host, options);
        _grpcTarget = new Uri(grpc).Authority;
        _httpAddress = http;
    }

    [Fact]
    public async Task Grpc_js_health_check_reports_serving()
    {
        var result = await NodePeer.RunClientAsync(_grpcTarget, "health");
        result.GetProperty("code").GetInt32().Should().Be(0);
        result.GetProperty("status").GetInt32().Should().Be(1, "1 is SERVING in grpc.health.v1");
    }

    [Fact]
    public async Task Grpc_js_health_watch_streams_serving_until_its_deadline()
    {
        var result = await NodePeer.RunClientAsync(_grpcTarget, "watch");
        result.GetProperty("statuses").EnumerateArray().Select(s => s.GetInt32()).Should().Equal([1], "the current status (SERVING), then nothing changes");
        result.GetProperty("code").GetInt32().Should().Be(4, "the client's deadline ends the stream: DEADLINE_EXCEEDED");
    }

    [Fact]
    public async Task A_reflection_client_we_did_not_write_lists_every_service_in_both_versions_and_describes_serving()
    {
        var result = await NodePeer.RunClientAsync(_grpcTarget, "reflect");
        result.GetProperty("code").GetInt32().Should().Be(0, result.ToString());
        string[] services =
        [
            "cascade.ingestion.v1.Ingestion", "cascade.features.v1.Features", "cascade.training.v1.Training", "cascade.registry.v1.Registry",
            "cascade.serving.v1.Serving", "cascade.monitoring.v1.Monitoring", "inference.GRPCInferenceService", "grpc.health.v1.Health",
        ];
        result.GetProperty("v1").EnumerateArray().Select(s => s.GetString()).Should().Contain(services);
        result.GetProperty("v1alpha").EnumerateArray().Select(s => s.GetString()).Should().Contain(services);
        result.GetProperty("methods").EnumerateArray().Select(s => s.GetString()).Should().Contain(["Predict", "PredictBatch", "PredictStream", "Explain"]);
    }

    [Fact]
    public async Task Grpc_js_call_to_an_unknown_method_gets_status_12()
    {
        var result = await NodePeer.RunClientAsync(_grpcTarget, "unimplemented");
        result.GetProperty("code").GetInt32().Should().Be(12);
    }

    [Fact]
    public async Task Healthz_answers_on_the_http_endpoint()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var response = await http.GetAsync(_httpAddress + "/healthz");
        response.IsSuccessStatusCode.Should().BeTrue();
        (await response.Content.ReadAsStringAsync()).Should().Contain("Serving");
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
        }
        Directory.Delete(_data, recursive: true);
    }
}
