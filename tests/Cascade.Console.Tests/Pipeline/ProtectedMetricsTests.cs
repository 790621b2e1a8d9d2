using Cascade.Hosting;
using Cascade.Hosting.Security;
using Cascade.WebConsole.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.WebConsole.Tests.Pipeline;

/// <summary>
/// Services whose <c>/metrics</c> wants a key (<c>ProtectMetrics</c>): the distributed console reads it with its service
/// key, as services call each other; a console without one is refused, and says the figures are unavailable.
/// </summary>
public sealed class ProtectedMetricsTests : IAsyncLifetime
{
    private readonly string _upstreamData = Directory.CreateTempSubdirectory("cascade-figures-protected-").FullName;
    private readonly string _withKeyData = Directory.CreateTempSubdirectory("cascade-figures-keyed-console-").FullName;
    private readonly string _withoutKeyData = Directory.CreateTempSubdirectory("cascade-figures-keyless-console-").FullName;
    private InProcessHost _upstream = null!;
    private WebApplication _withKey = null!;
    private WebApplication _withoutKey = null!;

    public async Task InitializeAsync()
    {
        var key = new ApiKeyStore(Path.Combine(_upstreamData, "keys.json")).Create("console", CascadeRole.Service, []).Key;
        _upstream = await InProcessHost.StartAsync(_upstreamData, "--Cascade:Auth:Enabled=true", "--Cascade:Auth:ProtectMetrics=true");
        _withKey = await StartConsoleAsync(_withKeyData, $"--Cascade:Auth:ServiceKey={key}");
        _withoutKey = await StartConsoleAsync(_withoutKeyData);
    }

    [Fact]
    public async Task The_console_reads_protected_metrics_with_its_service_key_and_without_one_is_refused()
    {
        using var anonymous = new HttpClient();
        (await anonymous.GetAsync(_upstream.Http + "/metrics")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized, "the upstream protects /metrics");

        var keyed = _withKey.Services.GetRequiredService<PipelineSampler>();
        await keyed.SampleAsync(CancellationToken.None);
        keyed.Read().Sources.Should().Equal("cascade.serving.v1.Serving");

        var keyless = _withoutKey.Services.GetRequiredService<PipelineSampler>();
        await keyless.SampleAsync(CancellationToken.None);
        keyless.Read().Sources.Should().BeEmpty();
    }

    private async Task<WebApplication> StartConsoleAsync(string data, params string[] settings)
    {
        var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data };
        var console = ServiceHost.Build(options, [Contracts.Pipeline.V1.Pipeline.Descriptor.FullName], (services, _) => services.AddCascadeConsole(
            o =>
            {
                o.MonitoringAddress = _upstream.Grpc;
                o.Upstreams["serving"] = _upstream.Http;
            },
            o => o.MetricsUrls["serving"] = _upstream.Http + "/metrics"), _ => { }, settings);
        await console.StartAsync();
        return console;
    }

    public async Task DisposeAsync()
    {
        foreach (var console in new[] { _withKey, _withoutKey })
        {
            await console.StopAsync();
            await console.DisposeAsync();
        }
        await _upstream.DisposeAsync();
        foreach (var data in new[] { _upstreamData, _withKeyData, _withoutKeyData }) Directory.Delete(data, recursive: true);
    }
}
