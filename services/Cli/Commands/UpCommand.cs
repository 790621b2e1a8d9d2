using Microsoft.AspNetCore.Builder;
using System.CommandLine;
using Cascade.Cli.Distributed;
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
        var distributed = new Option<bool>("--distributed") { Description = "Run the services of tye.yaml as separate processes on the local infrastructure (./cascade infra up first); restarts one that dies." };
        var command = new Command("up", "Start the all-in-one host (or, with --distributed, every service as its own process) and keep it running (Ctrl-C stops it).");
        endpoints.AddTo(command);
        command.Options.Add(distributed);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(distributed))
            {
                return await RunDistributedAsync(parse.GetValue(endpoints.Auth), cancellationToken);
            }
            var options = endpoints.Read(parse);
            WebApplication built;
            try
            {
                built = AllInOneHost.Build(options, args: endpoints.ConfigurationArgs(parse));
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException ex)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]configuration error:[/] {ex.Message}");
                return 2;
            }
            await using var app = built;
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
            var services = Cascade.Hosting.Grpc.GrpcHosting.ServedServices(app.Services);
            AnsiConsole.MarkupLineInterpolated($"[green]Cascade all-in-one host is up[/]: gRPC [bold]{grpc}[/], HTTP [bold]{http}[/] (/healthz)");
            AnsiConsole.MarkupLineInterpolated($"gRPC services: {string.Join(", ", services)}");
            AnsiConsole.MarkupLine(parse.GetValue(endpoints.Auth)
                ? $"Authentication: [green]on[/] (keys in {Markup.Escape(Path.Combine(options.DataDirectory, "keys.json"))}; create one with ./cascade keys create --role ROLE)"
                : "Authentication: [yellow]off[/] (anyone who can reach these ports may call every API; --auth turns it on)");
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

    private static async Task<int> RunDistributedAsync(bool auth, CancellationToken cancellationToken)
    {
        var root = Topology.FindRepositoryRoot();
        await using var cluster = await DistributedCluster.StartAsync(root, cancellationToken, auth: auth);
        AnsiConsole.MarkupLine("Press Ctrl-C to stop every process.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }
}
