using System.CommandLine;
using Cascade.Cli.Demo;
using Cascade.Cli.Distributed;
using Grpc.Net.Client;

namespace Cascade.Cli.Commands;

/// <summary>
/// Where the commands that talk to several services (<c>apply</c>, <c>get</c>) find each one: one address for the
/// all-in-one host (<c>--address</c>, alias <c>--grpc</c>), a per-service address when they run apart
/// (<c>--ingestion</c>, <c>--features</c>, …), or <c>--distributed</c> for the local deployment's ports in <c>tye.yaml</c>.
/// </summary>
internal sealed class ServiceEndpointOptions
{
    public Option<string> Address { get; } = new("--address", "--grpc") { Description = "gRPC address of the host (every service), unless a per-service address says otherwise.", DefaultValueFactory = _ => "http://127.0.0.1:50051" };

    public Option<bool> Distributed { get; } = new("--distributed") { Description = "Reach the local distributed deployment: each service at its port in tye.yaml." };

    private readonly Dictionary<string, Option<string?>> _services = new[] { "ingestion", "features", "training", "registry", "serving", "monitoring" }
        .ToDictionary(s => s, s => new Option<string?>($"--{s}") { Description = $"gRPC address of the {s} service when the services run apart." });

    public void AddTo(Command command)
    {
        command.Options.Add(Address);
        command.Options.Add(Distributed);
        foreach (var option in _services.Values) command.Options.Add(option);
    }

    /// <summary>A channel per service (one per distinct address).</summary>
    /// <exception cref="InvalidDataException">--distributed, and tye.yaml cannot be read.</exception>
    /// <exception cref="DirectoryNotFoundException">--distributed, outside the repository.</exception>
    public CascadeChannels Open(ParseResult parse)
    {
        var topology = parse.GetValue(Distributed)
            ? Topology.Load(Path.Combine(Topology.FindRepositoryRoot(), "tye.yaml"))
            : null;
        var channels = new Dictionary<string, GrpcChannel>(StringComparer.Ordinal);
        GrpcChannel Channel(string service)
        {
            var address = parse.GetValue(_services[service])
                ?? (topology?.FirstOrDefault(s => s.Name == service) is { } spec ? $"http://127.0.0.1:{spec.GrpcPort}" : null)
                ?? parse.GetValue(Address)!;
            if (!channels.TryGetValue(address, out var channel)) channels[address] = channel = CliChannels.ForAddress(address, parse);
            return channel;
        }
        return new CascadeChannels(Channel("ingestion"), Channel("features"), Channel("training"), Channel("registry"), Channel("serving"), Channel("monitoring"));
    }
}
