using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Cascade.Hosting.Security;

namespace Cascade.Hosting;

/// <summary>
/// <c>/metrics</c> on the HTTP endpoint, in Prometheus' text format: Cascade's own meters (every <c>Cascade.*</c>
/// meter: gRPC calls, records ingested, freshness, predictions, alerts), Kestrel's connections and the runtime's
/// GC, thread pool and CPU. The instruments live beside the code they measure, on
/// <see cref="System.Diagnostics.Metrics"/>; only this host knows about OpenTelemetry and the exporter.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IServiceCollection AddCascadeMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Cascade.*")
            .AddMeter("Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
            .AddPrometheusExporter());
        return services;
    }

    public static WebApplication MapCascadeMetrics(this WebApplication app)
    {
        var scrape = app.MapPrometheusScrapingEndpoint(Path);
        if (app.Services.GetRequiredService<Security.AuthOptions>().ProtectMetrics)
        {
            scrape.RequireCascadeAccess(Security.AccessRules.MetricsScrape);
        }
        return app;
    }
}
