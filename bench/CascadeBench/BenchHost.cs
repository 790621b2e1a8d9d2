using Cascade.Grpc.Client;
using Cascade.Host;
using Microsoft.AspNetCore.Builder;

namespace Cascade.Bench;

/// <summary>An all-in-one host on ephemeral ports in a scratch directory, with a client channel.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private readonly string _data;
    private readonly WebApplication _app;

    private BenchHost(string data, WebApplication app, GrpcChannel channel)
    {
        _data = data;
        _app = app;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<BenchHost> StartAsync()
    {
        var data = Directory.CreateTempSubdirectory("cascade-bench-").FullName;
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data };
        var app = AllInOneHost.Build(options, _ => { });
        await app.StartAsync();
        return new BenchHost(data, app, GrpcChannel.ForAddress(AllInOneHost.GetAddresses(app, options).Grpc));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
