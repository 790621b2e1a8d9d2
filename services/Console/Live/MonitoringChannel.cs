using Cascade.WebConsole.Options;
using Cascade.Hosting;
using Cascade.Hosting.Tls;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cascade.WebConsole.Live;

/// <summary>
/// The channel the live alert stream reads Monitoring through: <see cref="ConsoleOptions.MonitoringAddress"/>, or this
/// process's own gRPC endpoint when that is empty (the all-in-one host; its port may be ephemeral, so it is read from
/// the server once it listens). TLS as the process's own settings say.
/// </summary>
internal sealed class MonitoringChannel(ConsoleOptions options, ServiceHostOptions host, IServer server) : IDisposable
{
    private readonly Lazy<GrpcChannel> _channel = new(() => ClientTls.Channel(Address(options, host, server), host.Tls));

    public GrpcChannel Channel => _channel.Value;

    private static string Address(ConsoleOptions options, ServiceHostOptions host, IServer server)
    {
        if (!string.IsNullOrWhiteSpace(options.MonitoringAddress)) return options.MonitoringAddress;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).ToArray() ?? [];
        // Kestrel lists endpoints in the order they were configured: gRPC first (ServiceHost).
        var grpc = addresses.FirstOrDefault() ?? throw new InvalidOperationException("The host is not listening yet: no gRPC endpoint to read alerts from.");
        var name = host.BindAddress is "0.0.0.0" or "::" or "[::]" ? "127.0.0.1" : host.BindAddress;
        return $"{grpc.Scheme}://{name}:{grpc.Port}";
    }

    public void Dispose()
    {
        if (_channel.IsValueCreated) _channel.Value.Dispose();
    }
}
