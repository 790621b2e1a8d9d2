using Cascade.Contracts;
using System.CommandLine;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Cli.Commands;

/// <summary>What the ops commands share: the --address (alias --grpc) option, call timeouts, and turning gRPC errors into one line and exit code 1.</summary>
internal static class HostCall
{
    public static Option<string> AddressOption() =>
        new("--address", "--grpc") { Description = "gRPC address of the host.", DefaultValueFactory = _ => "http://127.0.0.1:50051", Recursive = true };

    public static CallOptions Timeout(CancellationToken cancellationToken) => GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken);

    /// <summary>Runs a call against the host; a gRPC error becomes one line on stderr and exit code 1.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Option<string> address, Func<GrpcChannel, Task> action)
    {
        using var channel = CliChannels.ForAddress(parse.GetValue(address)!, parse);
        try
        {
            await action(channel);
            return 0;
        }
        catch (RpcException ex)
        {
            var hint = ex.StatusCode == StatusCode.Unavailable ? " (is the host running? start it with ./cascade up)" : string.Empty;
            Console.Error.WriteLine($"error: {ex.StatusCode}: {ex.Status.Detail}{hint}");
            return 1;
        }
    }

    public static string Version(int version) => version == 0 ? "-" : $"v{version}";
}
