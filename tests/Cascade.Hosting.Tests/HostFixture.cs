using Cascade.Host;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Cascade.Hosting.Tests;

/// <summary>An all-in-one host on ephemeral ports with an empty data directory: a gRPC channel and an HTTP client to it.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-hosting-").FullName;

    public WebApplication Host { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string HttpAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        Host = AllInOneHost.Build(options, _ => { });
        await Host.StartAsync();
        var (grpc, http) = AllInOneHost.GetAddresses(Host, options);
        Channel = GrpcChannel.ForAddress(grpc);
        HttpAddress = http;
        Http = new HttpClient { BaseAddress = new Uri(http), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await Host.StopAsync();
        await Host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
