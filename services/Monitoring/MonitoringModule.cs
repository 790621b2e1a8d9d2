using Cascade.EventLog.Handlers;
using Cascade.Hosting;
using Cascade.Hosting.Grpc;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Alerts.Webhooks;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Grpc;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Profiles;
using Cascade.Monitoring.Storage;
using Cascade.Monitoring.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cascade.Monitoring;

/// <summary>Composition of Monitoring (needs an IEventLog and an IArtifactStore).</summary>
public static class MonitoringModule
{
    public static IServiceCollection AddCascadeMonitoring(this IServiceCollection services, Action<MonitoringServiceOptions> configure)
    {
        var options = services.AddValidatedOptions(MonitoringServiceOptions.SectionName, configure, o => o.Drift.CrossFieldRules().Concat(o.Webhooks.Problems(MonitoringServiceOptions.SectionName)));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new MonitoringStore(options.DatabasePath, options.History));
        services.AddSingleton(new ModelMonitors(options.Drift));
        services.AddSingleton<ArtifactProfileLoader>();
        services.AddSingleton<AlertFeed>();
        services.AddEventHandler<MonitoringProcessor>();
        // The first promotion's cost (first calls into the artifact store, calibration and evaluation code) is paid at start.
        services.AddHostedService<MonitoringWarmUp>();
        if (options.Webhooks.Endpoints.Count > 0)
        {
            // Webhooks read the alert topic in a consumer group of their own, so a slow receiver never delays monitoring.
            // Pooled connections are renewed every few minutes so a receiver's DNS change is followed.
            services.AddSingleton(provider => new AlertWebhookHandler(options.Webhooks,
                new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
                provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AlertWebhookHandler>>()));
            services.AddEventHandler<AlertWebhookHandler>();
        }
        services.AddGrpcService<MonitoringGrpcService>();
        return services;
    }
}
