using System.CommandLine;
using Grpc.Net.Client;

namespace Cascade.Cli.Commands;

/// <summary>
/// Every gRPC channel the CLI opens: with the caller's API key or token (<c>--api-key</c>, else the
/// <c>CASCADE_API_KEY</c> environment variable, which keeps it out of the shell history) as
/// <c>authorization: Bearer …</c> on every call.
/// </summary>
internal static class CliChannels
{
    /// <summary>The global <c>--api-key</c> option.</summary>
    public static Option<string?> ApiKey { get; } = new("--api-key") { Description = "API key or token for a host started with --auth (default: $CASCADE_API_KEY).", Recursive = true };

    /// <summary>A channel to <paramref name="address"/> carrying the key from <paramref name="parse"/> or the environment.</summary>
    public static GrpcChannel ForAddress(string address, ParseResult? parse = null) =>
        ForAddress(address, parse?.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("CASCADE_API_KEY"));

    /// <summary>A channel to <paramref name="address"/> carrying <paramref name="key"/> (none when null or empty).</summary>
    public static GrpcChannel ForAddress(string address, string? key)
    {
        // Several HTTP/2 connections, keep-alive pings, and TLS as --ca/--cert/--key say (CliTls).
        var handler = CliTls.Handler();
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = Hosting.Security.ServiceCredentials.WithBearer(handler, key), DisposeHttpClient = true });
    }
}
