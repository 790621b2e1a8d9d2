using Grpc.Net.Client;
using Cascade.Host;
using Microsoft.AspNetCore.Builder;

namespace Cascade.Bench;

/// <summary>An all-in-one host on ephemeral ports in a scratch directory, with a client channel.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private readonly string _data;
    private readonly WebApplication _app;

    private BenchHost(string data, WebApplication app, string grpcAddress, string httpAddress)
    {
        _data = data;
        _app = app;
        GrpcAddress = grpcAddress;
        HttpAddress = httpAddress;
        Channel = GrpcChannel.ForAddress(grpcAddress);
    }

    public GrpcChannel Channel { get; }

    /// <summary>The gRPC endpoint (HTTP/2 only), e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string GrpcAddress { get; }

    /// <summary>The HTTP endpoint (HTTP/1.1: REST, gRPC-Web, <c>/healthz</c>).</summary>
    public string HttpAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<BenchHost> StartAsync()
    {
        var data = Directory.CreateTempSubdirectory("cascade-bench-").FullName;
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data };
        var app = AllInOneHost.Build(options, _ => { });
        await app.StartAsync();
        var (grpc, http) = AllInOneHost.GetAddresses(app, options);
        return new BenchHost(data, app, grpc, http);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
