using System.Net;
using Cascade.Hosting.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cascade.Interop.Tests.TestServer;

/// <summary>
/// <see cref="ScenarioService"/> served the way every Cascade process serves gRPC (Cascade.Hosting on Grpc.AspNetCore:
/// Kestrel on an HTTP/2-only cleartext endpoint, Cascade's limits, health and reflection), on 127.0.0.1 and an
/// ephemeral port.
/// </summary>
public sealed class ScenarioServer : IAsyncLifetime
{
    private WebApplication? _app;

    public ScenarioService Service { get; } = new();

    /// <summary><c>127.0.0.1:port</c>, as grpc-js takes it.</summary>
    public string Target { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenGrpc(IPAddress.Loopback, 0));
        builder.Services.AddCascadeGrpc();
        builder.Services.AddSingleton(Service);
        builder.Services.AddGrpcService<ScenarioService>();
        _app = builder.Build();
        _app.UseRouting();
        _app.MapCascadeGrpc();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Target = $"127.0.0.1:{new Uri(address).Port}";
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
