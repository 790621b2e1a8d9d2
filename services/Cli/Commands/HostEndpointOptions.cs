using System.CommandLine;
using Cascade.Host;

namespace Cascade.Cli.Commands;

/// <summary>The --grpc-port / --http-port / --data-dir options shared by the commands that start a host.</summary>
internal sealed class HostEndpointOptions
{
    public Option<int> GrpcPort { get; } = new("--grpc-port") { Description = "gRPC port (HTTP/2): every service API, health, OIP v2.", DefaultValueFactory = _ => 50051 };

    public Option<int> HttpPort { get; } = new("--http-port") { Description = "HTTP port: /healthz.", DefaultValueFactory = _ => 8080 };

    public Option<string> DataDirectory { get; } = new("--data-dir") { Description = "Where the host keeps its data.", DefaultValueFactory = _ => ".cascade" };

    public void AddTo(Command command)
    {
        command.Options.Add(GrpcPort);
        command.Options.Add(HttpPort);
        command.Options.Add(DataDirectory);
    }

    public AllInOneHostOptions Read(ParseResult parse) => new()
    {
        GrpcPort = parse.GetValue(GrpcPort),
        HttpPort = parse.GetValue(HttpPort),
        DataDirectory = parse.GetValue(DataDirectory)!,
    };
}
