using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cascade.Hosting;

/// <summary>
/// Traces over OTLP: incoming gRPC/REST calls (ASP.NET Core), outgoing gRPC calls (Grpc.Net.Client), and Cascade's
/// own spans (every <c>Cascade.*</c> source, including <c>Cascade.Events</c>, whose consume spans continue the trace
/// a record or event carried in its envelope). A record ingested under a trace is followed through Features'
/// materialization into Training's trigger.
/// </summary>
public static class Tracing
{
    public static IServiceCollection AddCascadeTracing(this IServiceCollection services, TelemetryOptions options, string defaultServiceName)
    {
        var endpoint = options.ResolveEndpoint();
        if (string.IsNullOrEmpty(endpoint))
        {
            return services;
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"Cascade:Telemetry:OtlpEndpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) is '{endpoint}': give an http(s) URL such as http://127.0.0.1:4317.");
        }
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName ?? defaultServiceName))
            .WithTracing(tracing => tracing
                .AddSource("Cascade.*")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != MetricsEndpoint.Path && context.Request.Path != "/healthz")
                .AddGrpcClientInstrumentation()
                .AddOtlpExporter(o => o.Endpoint = uri));
        return services;
    }
}
