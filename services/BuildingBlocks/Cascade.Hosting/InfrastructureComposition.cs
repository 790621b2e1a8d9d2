using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.EventLog.Kafka;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Cascade.Storage.Redis;
using Cascade.Storage.S3;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Hosting;

/// <summary>
/// Registers the implementations <see cref="InfrastructureOptions"/> chooses for the seams every service shares
/// (event log, online and offline stores, artifacts), before the service modules add their embedded defaults.
/// The registry's own store and the job transport are chosen by those services' modules from the same options.
/// </summary>
public static class InfrastructureComposition
{
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">
    /// A credential or TLS setting of a chosen server contradicts another or names a file that cannot be read.
    /// </exception>
    public static IServiceCollection AddCascadeInfrastructure(this IServiceCollection services, InfrastructureOptions options, string dataDirectory)
    {
        Tls.InfrastructureSecurity.ThrowIfInvalid(options);
        services.AddSingleton(options);
        services.AddSingleton<IEventLog>(_ => options.EventLog switch
        {
            "embedded" => new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(dataDirectory, "events.db") }),
            "kafka" => new KafkaEventLog(options.Kafka),
            var other => throw Unknown("EventLog", other, "embedded, kafka"),
        });
        services.AddSingleton<IOnlineStore>(_ => options.OnlineStore switch
        {
            "in-process" => new InProcessOnlineStore(),
            "redis" => new RedisOnlineStore(options.Redis),
            var other => throw Unknown("OnlineStore", other, "in-process, redis"),
        });
        // Checked here, not when first resolved: a process that never touches the offline store still refuses a wrong value.
        if (options.OfflineStore is not ("sqlite" or "postgres")) throw Unknown("OfflineStore", options.OfflineStore, "sqlite, postgres");
        services.AddSingleton<IOfflineStore>(_ => options.OfflineStore == "postgres"
            ? new PostgresOfflineStore(options.PostgresConnectionString())
            : new SqliteOfflineStore(string.IsNullOrEmpty(options.OfflineStorePath) ? Path.Combine(dataDirectory, "offline.db") : options.OfflineStorePath));
        services.AddSingleton<IArtifactStore>(_ => options.Artifacts switch
        {
            "local" => new LocalArtifactStore(Path.Combine(dataDirectory, "artifacts")),
            "s3" => new S3ArtifactStore(options.S3),
            var other => throw Unknown("Artifacts", other, "local, s3"),
        });
        return services;
    }

    internal static ArgumentException Unknown(string seam, string value, string choices) =>
        new($"Cascade:Infrastructure:{seam} is '{value}'; choose one of {choices}.");
}
