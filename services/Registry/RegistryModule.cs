using Cascade.Hosting.Grpc;
using Cascade.Hosting;
using Cascade.Registry.Domain;
using Cascade.Registry.Grpc;
using Cascade.Registry.Messaging;
using Cascade.Registry.Options;
using Cascade.Registry.Retention;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cascade.Registry;

/// <summary>Composition of the Registry (it needs an IEventLog, which its outbox relay writes to; store and artifacts default to the embedded ones).</summary>
public static class RegistryModule
{
    public static IServiceCollection AddCascadeRegistry(this IServiceCollection services, string dataDirectory, Action<PromotionGateOptions>? configureGate = null,
        Action<RetentionOptions>? configureRetention = null, Action<ArtifactUploadOptions>? configureUpload = null)
    {
        services.AddValidatedOptions(PromotionGateOptions.SectionName, configureGate);
        services.AddSingleton<PromotionGate>();
        services.TryAddSingleton<IRegistryStore>(sp => (sp.GetService<InfrastructureOptions>()?.RegistryStore ?? "sqlite") switch
        {
            "sqlite" => new SqliteRegistryStore(Path.Combine(dataDirectory, "registry.db")),
            "postgres" => new PostgresRegistryStore(sp.GetRequiredService<InfrastructureOptions>().PostgresConnectionString()),
            var other => throw new ArgumentException($"Cascade:Infrastructure:RegistryStore is '{other}'; choose one of sqlite, postgres."),
        });
        services.TryAddSingleton<IArtifactStore>(_ => new LocalArtifactStore(Path.Combine(dataDirectory, "artifacts")));
        // Every registry event leaves through the store's outbox: the relay runs at start (events a crash left
        // behind) and whenever a change commits.
        services.AddSingleton<RegistryOutbox>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistryOutbox>());
        services.AddSingleton<ModelRegistry>();
        // The first registration's cold start (first S3 request, reflection caches) is paid before any job arrives.
        services.AddHostedService<RegistryWarmUp>();
        // Artifacts outside the retention policy are collected (audited, then deleted) every Interval.
        var retention = services.AddValidatedOptions(RetentionOptions.SectionName, configureRetention, RetentionOptions.Rules);
        services.AddSingleton(sp => new ArtifactCollector(sp.GetRequiredService<IRegistryStore>(), sp.GetRequiredService<IArtifactStore>(), retention,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ArtifactCollector>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ArtifactCollector>());
        // Imported models arrive through UploadArtifact; archives over MaxBytes are refused before they are stored.
        services.AddValidatedOptions(ArtifactUploadOptions.SectionName, configureUpload);
        services.AddGrpcService<RegistryGrpcService>();
        // Modules of the same host (Serving, forwarding traffic policies; Features, listing kept versions) reach the registry through this client;
        // a process without the registry registers a network client instead (Serving's Program).
        services.TryAddSingleton(sp => new Contracts.Registry.V1.Registry.RegistryClient(new InProcessRegistryInvoker(sp.GetRequiredService<ModelRegistry>(), sp.GetRequiredService<IRegistryStore>())));
        return services;
    }
}
