using System.Net;
using Cascade.Hosting.Grpc;
using Cascade.Hosting.Health;
using Cascade.Hosting.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Grpc.AspNetCore.Web;
using Grpc.Health.V1;
using Cascade.Hosting.Security;

namespace Cascade.Hosting;

/// <summary>
/// The process every Cascade service runs in: a gRPC endpoint (HTTP/2 only, with reflection) and an HTTP endpoint
/// (HTTP/1.1: gRPC-Web and the REST routes of every service, <c>/healthz</c>, <c>/metrics</c>),
/// the chosen infrastructure, and whatever service modules the caller adds. The all-in-one host adds all six; each
/// service's own <c>Program.cs</c> adds only itself.
/// </summary>
public static class ServiceHost
{
    /// <summary>
    /// Console log timestamps to the millisecond: a record crosses several processes in tens of milliseconds, and
    /// comparing their logs line by line is how an operator finds where the time went (whole seconds hid it).
    /// </summary>
    public const string LogTimestampFormat = "HH:mm:ss.fff ";

    /// <summary>Reads <see cref="ServiceHostOptions"/> from configuration section <c>Cascade</c> (environment, command line).</summary>
    public static ServiceHostOptions ReadOptions(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var options = configuration.GetSection("Cascade").Get<ServiceHostOptions>() ?? new ServiceHostOptions();
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(options, new(options), validateAllProperties: true);
        return options;
    }

    /// <summary>Builds (does not start) a host serving <paramref name="grpcServices"/> (their health is SERVING once started).</summary>
    /// <remarks>
    /// Service options are bound from the environment and <paramref name="args"/> (<c>--Cascade:Ingestion:MaxBatchesInFlight=8</c>)
    /// and validated here: a bad setting stops the build with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming its key.
    /// </remarks>
    public static WebApplication Build(ServiceHostOptions options, IReadOnlyList<string> grpcServices, Action<IServiceCollection, string> addServices, Action<ILoggingBuilder>? configureLogging = null, string[]? args = null)
    {
        // Settings come from the environment and the command line; an appsettings.json is read once. Watching it for
        // changes made every process watch its content root (the working directory: the repository, with the servers'
        // data under .cascade/) recursively: a thread woken by every write anywhere below, 4–5% of the 2-core machine
        // during ./cascade demo --distributed (perf). --hostBuilder:reloadConfigOnChange=true later in args turns it back on.
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args ?? []]);
        // ASP.NET Core logs every request at Information: four console lines per prediction made the serving process
        // spend more on its log than on its answers. The gRPC and HTTP clients do the same for every outgoing call.
        // Calls are traced and counted instead (/metrics, OTLP). These are defaults with the lowest precedence, so
        // Logging__LogLevel__Microsoft.AspNetCore=Information brings them back.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
                ["Logging:LogLevel:Grpc.Net.Client"] = "Warning",
            },
        });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = LogTimestampFormat; });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }
        // The gRPC and HTTP ports, cleartext or TLS (Cascade:Tls, certificates checked and loaded now).
        builder.ListenCascadeEndpoints(options);
        var data = Path.GetFullPath(options.DataDirectory);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new HostConfiguration(builder.Configuration));
        builder.Services.AddCascadeGrpc();
        builder.Services.AddCascadeMetrics();
        builder.Services.AddCascadeTracing(options.Telemetry, ProcessName(grpcServices));
        builder.Services.AddCascadeInfrastructure(options.Infrastructure, data);
        builder.Services.AddCascadeSecurity(options.BindAddress, data, ProcessName(grpcServices));
        // Readiness follows the event handlers: "" is NOT_SERVING while any of them is stuck retrying.
        ConsumerHealthReporter.Register(builder.Services);
        addServices(builder.Services, data);

        var app = builder.Build();
        app.UseRouting();
        app.UseRouteSlashDecoding();
        app.UseCascadeSecurity();
        app.UseRestBodyLimit();
        // gRPC-Web for every service: browsers cannot speak gRPC's HTTP/2 trailers, and reach the same handlers over HTTP/1.1.
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.UseGrpcCallMetrics();
        app.MapCascadeGrpc();
        app.MapHttpEndpoints();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var health = app.Services.GetRequiredService<HealthStatusRegistry>();
            foreach (var service in grpcServices)
            {
                health.SetStatus(service, HealthCheckResponse.Types.ServingStatus.Serving);
            }
        });
        app.MapGet("/healthz", (HealthStatusRegistry health) =>
        {
            var status = health.GetStatus(string.Empty);
            var serving = status == HealthCheckResponse.Types.ServingStatus.Serving;
            return Results.Json(new { status = status?.ToString() ?? "Unknown" }, statusCode: serving ? 200 : 503);
        });
        app.MapCascadeMetrics();
        return app;
    }

    /// <summary>
    /// Runs one service as its own process until it is stopped (SIGTERM or Ctrl-C): options from the environment and
    /// command line, information-level logs on the console. What each service's <c>Program.cs</c> calls.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, IReadOnlyList<string> grpcServices, Action<IServiceCollection, string, ServiceHostOptions> addServices)
    {
        WebApplication app;
        try
        {
            var options = ReadOptions(args);
            app = Build(options, grpcServices, (services, data) => addServices(services, data, options),
                logging => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = LogTimestampFormat; }).SetMinimumLevel(LogLevel.Information), args);
        }
        catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or System.ComponentModel.DataAnnotations.ValidationException or InvalidOperationException)
        {
            // A bad setting: say which, and do not start (exit code 2, as for a usage error).
            Console.Error.WriteLine($"configuration error: {ex.Message}");
            return 2;
        }
        await using (app)
        {
            await app.RunAsync();
        }
        return 0;
    }

    /// <summary>The name a process reports itself by: <c>cascade-serving</c> for one service, <c>cascade-host</c> for the all-in-one.</summary>
    private static string ProcessName(IReadOnlyList<string> grpcServices)
    {
        var areas = grpcServices.Where(s => s.StartsWith("cascade.", StringComparison.Ordinal)).Select(s => s.Split('.')[1]).Distinct().ToArray();
        return areas.Length switch { 0 => "cascade-worker", 1 => "cascade-" + areas[0], _ => "cascade-host" };
    }

    /// <summary>The addresses a started host actually listens on (ports may be ephemeral when 0 was asked).</summary>
    public static (string Grpc, string Http) GetAddresses(WebApplication app, string bindAddress)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).ToArray();
        // Kestrel lists endpoints in the order they were configured: gRPC first, then HTTP.
        return ($"{addresses[0].Scheme}://{bindAddress}:{addresses[0].Port}", $"{addresses[1].Scheme}://{bindAddress}:{addresses[1].Port}");
    }
}
