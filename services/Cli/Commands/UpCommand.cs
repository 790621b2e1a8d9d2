using System.CommandLine;
using Cascade.Grpc.Server;
using Cascade.Host;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade up</c>: runs the all-in-one host until Ctrl-C.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var endpoints = new HostEndpointOptions();
        var command = new Command("up", "Start the all-in-one host and keep it running (Ctrl-C stops it).");
        endpoints.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = endpoints.Read(parse);
            await using var app = AllInOneHost.Build(options);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]cannot listen:[/] {ex.Message} (choose other ports with --grpc-port / --http-port)");
                return 1;
            }
            var (grpc, http) = AllInOneHost.GetAddresses(app, options);
            var services = app.Services.GetRequiredService<GrpcMethodRegistry>().ServiceNames;
            AnsiConsole.MarkupLineInterpolated($"[green]Cascade all-in-one host is up[/]: gRPC [bold]{grpc}[/], HTTP [bold]{http}[/] (/healthz)");
            AnsiConsole.MarkupLineInterpolated($"gRPC services: {string.Join(", ", services)}");
            AnsiConsole.MarkupLine("Press Ctrl-C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }
}
