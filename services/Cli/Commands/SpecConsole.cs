using Cascade.Cli.Specs.Apply;
using System.CommandLine;
using Grpc.Core;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary>What <c>apply</c> and <c>get</c> share: channels from the endpoint options, and host errors as one line and exit code 1.</summary>
internal static class SpecConsole
{
    public static async Task<int> RunAsync(ServiceEndpointOptions endpoints, ParseResult parse, Func<SpecGateway, Task<int>> action) =>
        await RunWithChannelsAsync(endpoints, parse, channels => action(new SpecGateway(channels)));

    public static async Task<int> RunWithChannelsAsync(ServiceEndpointOptions endpoints, ParseResult parse, Func<Demo.CascadeChannels, Task<int>> action)
    {
        // Redirected output (a file, a pipe, a test) is read by programs and people alike: do not wrap tables at 80 columns.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
        Demo.CascadeChannels channels;
        try
        {
            channels = endpoints.Open(parse);
        }
        catch (Exception ex) when (ex is UriFormatException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        using (channels)
        {
            try
            {
                return await action(channels);
            }
            catch (RpcException ex)
            {
                var hint = ex.StatusCode == StatusCode.Unavailable ? " (is the host running? start it with ./cascade up, or say where it is with --address)" : string.Empty;
                Console.Error.WriteLine($"error: {ex.StatusCode}: {ex.Status.Detail}{hint}");
                return 1;
            }
            catch (InvalidDataException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        }
    }
}
