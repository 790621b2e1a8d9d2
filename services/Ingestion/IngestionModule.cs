using Cascade.Hosting;
using Cascade.Hosting.Grpc;
using Cascade.Ingestion.Domain;
using Cascade.Ingestion.Grpc;
using Cascade.Ingestion.Options;
using Cascade.Ingestion.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Ingestion;

/// <summary>Composition of the Ingestion service: the all-in-one host and the service's own process both call it.</summary>
public static class IngestionModule
{
    /// <summary>Adds Ingestion (it needs an <see cref="Cascade.EventLog.Abstractions.IEventLog"/> registered).</summary>
    public static IServiceCollection AddCascadeIngestion(this IServiceCollection services, Action<IngestionOptions> configure)
    {
        var options = services.AddValidatedOptions(IngestionOptions.SectionName, configure);
        services.AddSingleton(sp => new IngestionStore(options.DatabasePath));
        services.AddSingleton<DatasetAnnouncer>();
        services.AddHostedService(sp => sp.GetRequiredService<DatasetAnnouncer>());
        services.AddSingleton<DatasetRegistry>();
        services.AddSingleton(sp => new WatermarkTracker(sp.GetRequiredService<Cascade.EventLog.Abstractions.IEventLog>(), options.WatermarkRefresh));
        services.AddSingleton<RecordIngestor>();
        services.AddGrpcService<IngestionGrpcService>();
        return services;
    }
}
