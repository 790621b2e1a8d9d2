using System.Net;
using Cascade.Grpc.Client;
using Cascade.Grpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cascade.Grpc.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1 and an ephemeral port, serving <see cref="TestService"/> and health.</summary>
public class GrpcTestServer : IAsyncLifetime
{
    private WebApplication? _app;

    public TestService Service { get; } = new();

    /// <summary>Errors the server logged; a healthy run logs none.</summary>
    public ErrorCollectingLoggerProvider LoggedErrors { get; } = new();

    public string Address { get; private set; } = string.Empty;

    public int Port { get; private set; }

    public GrpcChannel Channel { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Whether the server is wired through endpoint routing (<c>MapCascadeGrpc</c>) rather than the middleware.</summary>
    protected virtual bool UseEndpointRouting => false;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(LoggedErrors);
        builder.WebHost.ConfigureKestrel(k => k.ListenGrpc(IPAddress.Loopback, 0));
        builder.Services.AddCascadeGrpc(o => o.MaxReceiveMessageSize = 4 * 1024 * 1024);
        builder.Services.AddSingleton(Service);
        builder.Services.AddGrpcService<TestService>();
        _app = builder.Build();
        if (UseEndpointRouting)
        {
            _app.MapCascadeGrpc();
            // An ordinary endpoint beside the gRPC ones, to show they do not shadow it.
            _app.MapPost("/api/echo", (HttpContext http) => http.Response.WriteAsync("plain"));
        }
        else
        {
            _app.UseCascadeGrpc();
        }
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        Address = $"http://127.0.0.1:{Port}";
        Channel = GrpcChannel.ForAddress(Address);
    }

    /// <summary>Stops the host (graceful shutdown), leaving the object to be disposed.</summary>
    public Task StopAsync() => _app!.StopAsync();

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

/// <summary>The same server, wired through endpoint routing.</summary>
public sealed class RoutedGrpcTestServer : GrpcTestServer
{
    protected override bool UseEndpointRouting => true;
}
