using System.Net;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.Features;
using Cascade.Features.Grpc;
using Cascade.Grpc.Health;
using Cascade.Ingestion;
using Cascade.Ingestion.Grpc;
using Cascade.Registry;
using Cascade.Registry.Grpc;
using Cascade.Monitoring;
using Cascade.Monitoring.Grpc;
using Cascade.Serving;
using Cascade.Serving.Grpc;
using Cascade.Training;
using Cascade.Training.Domain;
using Cascade.Training.Grpc;
using Cascade.Grpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cascade.Host;

/// <summary>Builds the all-in-one host: every service module in one process, on a gRPC and an HTTP endpoint.</summary>
public static class AllInOneHost
{
    /// <summary>Builds (does not start) the host.</summary>
    public static WebApplication Build(AllInOneHostOptions options, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        var address = IPAddress.Parse(options.BindAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenGrpc(address, options.GrpcPort);
            // The HTTP endpoint serves browsers, probes and scrapers: plain HTTP/1.1 (cleartext HTTP/2 needs prior knowledge they lack).
            kestrel.Listen(address, options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddCascadeGrpc();
        // Embedded defaults: every service's state lives under the data directory.
        var data = Path.GetFullPath(options.DataDirectory);
        builder.Services.AddCascadeInfrastructure(options.Infrastructure, data);
        builder.Services.AddCascadeIngestion(o => o.DatabasePath = Path.Combine(data, "ingestion.db"));
        builder.Services.AddCascadeFeatures(data);
        builder.Services.AddCascadeRegistry(data);
        builder.Services.AddSingleton<IRegistryGateway, InProcessRegistryGateway>();
        builder.Services.AddCascadeServing(Path.Combine(data, "serving"));
        builder.Services.AddCascadeTraining(o =>
        {
            o.DatabasePath = Path.Combine(data, "training.db");
            o.WorkDirectory = Path.Combine(data, "work");
            o.CodeVersion = GitCommit.Find(Environment.GetEnvironmentVariable("CASCADE_REPO_ROOT") ?? AppContext.BaseDirectory);
            o.Transport = options.Infrastructure.Jobs;
            o.RabbitMq = options.Infrastructure.RabbitMq;
        });
        builder.Services.AddCascadeMonitoring(o => o.DatabasePath = Path.Combine(data, "monitoring.db"));

        var app = builder.Build();
        app.UseCascadeGrpc();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var health = app.Services.GetRequiredService<HealthStatusRegistry>();
            foreach (var service in new[] { IngestionMethods.ServiceName, FeaturesMethods.ServiceName, RegistryMethods.ServiceName, TrainingMethods.ServiceName, ServingMethods.ServiceName, ServingMethods.InferenceServiceName, MonitoringMethods.ServiceName })
            {
                health.SetStatus(service, global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
            }
        });
        app.MapGet("/healthz", (HealthStatusRegistry health) =>
        {
            var status = health.GetStatus(string.Empty);
            var serving = status == global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving;
            return Results.Json(new { status = status?.ToString() ?? "Unknown" }, statusCode: serving ? 200 : 503);
        });
        return app;
    }

    /// <summary>The addresses the started host actually listens on (ports may be ephemeral when 0 was asked).</summary>
    public static (string Grpc, string Http) GetAddresses(WebApplication app, AllInOneHostOptions options)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).ToArray();
        // Kestrel lists endpoints in the order they were configured: gRPC first, then HTTP.
        return ($"http://{options.BindAddress}:{addresses[0].Port}", $"http://{options.BindAddress}:{addresses[1].Port}");
    }
}
