using Cascade.EventLog.Handlers;
using Cascade.Features.Erasure;
using Cascade.Features.Sources;
using Cascade.Features.Grpc;
using Cascade.Features.Materialization;
using Cascade.Features.Options;
using Cascade.Features.Retention;
using Cascade.Features.Storage;
using Cascade.Features.Vocabulary;
using Cascade.Hosting;
using Cascade.Hosting.Grpc;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Features;

/// <summary>
/// Composition of the Features service (it needs an IEventLog; the stores default to the embedded ones). Offline
/// retention asks the registry which versions keep their rows through a <c>Registry.RegistryClient</c> that the
/// composition registers: the registry's in-process one in the all-in-one host, a network client in Features' own
/// process (<c>Cascade:Services:registry</c>).
/// </summary>
public static class FeaturesModule
{
    /// <summary>Adds Features with its state in <paramref name="dataDirectory"/>.</summary>
    public static IServiceCollection AddCascadeFeatures(this IServiceCollection services, string dataDirectory)
    {
        services.AddValidatedOptions<VocabularyOptions>(VocabularyOptions.SectionName);
        services.AddValidatedOptions<MaterializationOptions>(MaterializationOptions.SectionName);
        services.AddSingleton(_ => new FeatureStateStore(Path.Combine(dataDirectory, "features.db")));
        services.AddSingleton<EntityErasures>();
        services.AddSingleton<EntityEraser>();
        services.AddSingleton<FeatureSourceAnnouncer>();
        services.AddHostedService(sp => sp.GetRequiredService<FeatureSourceAnnouncer>());
        services.AddSingleton<DataTopicScanner>();
        services.AddSingleton<VocabularyResolver>();
        services.TryAddSingleton<IOnlineStore, InProcessOnlineStore>();
        services.TryAddSingleton<IOfflineStore>(_ => new SqliteOfflineStore(Path.Combine(dataDirectory, "offline.db")));
        services.AddEventHandlerHost();
        services.AddSingleton<MaterializationService>();
        services.AddHostedService(sp => sp.GetRequiredService<MaterializationService>());
        services.AddGrpcService<FeaturesGrpcService>();
        // The offline store's retention: rows past its rules go, except what kept model versions were trained on.
        var retention = services.AddValidatedOptions<OfflineRetentionOptions>(OfflineRetentionOptions.SectionName, rules: OfflineRetentionOptions.Rules);
        services.TryAddSingleton<IKeptVersions>(sp => new RegistryKeptVersions(sp.GetService<Contracts.Registry.V1.Registry.RegistryClient>(), retention));
        services.AddSingleton(sp => new OfflineRetention(sp.GetRequiredService<IOfflineStore>(), sp.GetRequiredService<FeatureStateStore>(), sp.GetRequiredService<IKeptVersions>(),
            sp.GetRequiredService<EntityErasures>(), retention, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<OfflineRetention>>()));
        services.AddHostedService(sp => sp.GetRequiredService<OfflineRetention>());
        return services;
    }
}
