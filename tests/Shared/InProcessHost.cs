using Grpc.Net.Client;
using Cascade.Host;
using Microsoft.AspNetCore.Builder;

namespace Cascade.Tests.Shared;

/// <summary>
/// An all-in-one host on ephemeral ports over a data directory, with a channel to it: the one in-process host the test
/// projects share (linked into each), instead of each test class starting and stopping its own.
/// </summary>
internal sealed class InProcessHost : IAsyncDisposable
{
    private InProcessHost(WebApplication host, GrpcChannel channel, string grpc, string http)
    {
        Host = host;
        Channel = channel;
        Grpc = grpc;
        Http = http;
    }

    public WebApplication Host { get; }

    public GrpcChannel Channel { get; }

    /// <summary>The gRPC endpoint's address (what the CLI's <c>--grpc</c> takes).</summary>
    public string Grpc { get; }

    /// <summary>The HTTP endpoint's address (<c>/healthz</c>, <c>/metrics</c>).</summary>
    public string Http { get; }

    /// <param name="settings">Host settings as configuration arguments (<c>--Cascade:Auth:Enabled=true</c>).</param>
    public static async Task<InProcessHost> StartAsync(string dataDirectory, params string[] settings)
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = dataDirectory };
        var host = AllInOneHost.Build(options, _ => { }, settings);
        await host.StartAsync();
        var (grpc, http) = AllInOneHost.GetAddresses(host, options);
        return new InProcessHost(host, GrpcChannel.ForAddress(grpc), grpc, http);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Host.StopAsync();
        await Host.DisposeAsync();
    }
}
