using Cascade.EventLog.Handlers;
using Cascade.Hosting;
using Cascade.Hosting.Grpc;
using Cascade.Monitoring.Alerts;
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
        var options = services.AddValidatedOptions(MonitoringServiceOptions.SectionName, configure, o => o.Drift.CrossFieldRules());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new MonitoringStore(options.DatabasePath));
        services.AddSingleton(new ModelMonitors(options.Drift));
        services.AddSingleton<ArtifactProfileLoader>();
        services.AddSingleton<AlertFeed>();
        services.AddEventHandler<MonitoringProcessor>();
        services.AddGrpcService<MonitoringGrpcService>();
        return services;
    }
}
