using Grpc.Net.Client;

namespace Cascade.Cli.Demo;

/// <summary>
/// Where each service's API is: one address for all in the all-in-one host, one per service when they run apart.
/// The demo talks to every service the way its users would, through these.
/// </summary>
internal sealed record CascadeChannels(GrpcChannel Ingestion, GrpcChannel Features, GrpcChannel Training, GrpcChannel Registry, GrpcChannel Serving, GrpcChannel Monitoring) : IDisposable
{
    /// <summary>Every service behind one address (the all-in-one host).</summary>
    public static CascadeChannels Single(GrpcChannel channel) => new(channel, channel, channel, channel, channel, channel);

    public void Dispose()
    {
        foreach (var channel in new[] { Ingestion, Features, Training, Registry, Serving, Monitoring }.Distinct())
        {
            channel.Dispose();
        }
    }
}
