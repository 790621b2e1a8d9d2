using System.CommandLine;
using Cascade.Host;

namespace Cascade.Cli.Commands;

/// <summary>The --grpc-port / --http-port / --data-dir options shared by the commands that start a host.</summary>
internal sealed class HostEndpointOptions
{
    public Option<int> GrpcPort { get; } = new("--grpc-port") { Description = "gRPC port (HTTP/2): every service API, health, OIP v2.", DefaultValueFactory = _ => 50051 };

    public Option<int> HttpPort { get; } = new("--http-port") { Description = "HTTP port: /healthz.", DefaultValueFactory = _ => 8080 };

    public Option<string> DataDirectory { get; } = new("--data-dir") { Description = "Where the host keeps its data.", DefaultValueFactory = _ => ".cascade" };

    public Option<bool> Auth { get; } = new("--auth") { Description = "Require an API key or token on every call (create keys with ./cascade keys create)." };

    public Option<bool> Insecure { get; } = new("--insecure") { Description = "Allow listening beyond loopback (--bind) without authentication." };

    public Option<string> Bind { get; } = new("--bind") { Description = "Address to listen on; anything but loopback needs --auth or --insecure.", DefaultValueFactory = _ => "127.0.0.1" };

    public void AddTo(Command command)
    {
        command.Options.Add(Auth);
        command.Options.Add(Insecure);
        command.Options.Add(Bind);
        command.Options.Add(GrpcPort);
        command.Options.Add(HttpPort);
        command.Options.Add(DataDirectory);
    }

    public AllInOneHostOptions Read(ParseResult parse) => new()
    {
        GrpcPort = parse.GetValue(GrpcPort),
        HttpPort = parse.GetValue(HttpPort),
        DataDirectory = parse.GetValue(DataDirectory)!,
        BindAddress = parse.GetValue(Bind)!,
    };

    /// <summary>The host settings these options stand for, as configuration arguments (<c>--Cascade:Auth:Enabled=true</c>).</summary>
    public string[] ConfigurationArgs(ParseResult parse) =>
    [
        .. parse.GetValue(Auth) ? ["--Cascade:Auth:Enabled=true"] : Array.Empty<string>(),
        .. parse.GetValue(Insecure) ? ["--Cascade:Auth:Insecure=true"] : Array.Empty<string>(),
    ];
}
