using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.EventLog.Kafka;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OnlineStore;
using Cascade.Storage.Redis;
using Cascade.Storage.S3;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Host;

/// <summary>Registers the implementations <see cref="InfrastructureOptions"/> chooses, before the service modules add their embedded defaults.</summary>
public static class InfrastructureComposition
{
    public static IServiceCollection AddCascadeInfrastructure(this IServiceCollection services, InfrastructureOptions options, string dataDirectory)
    {
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
        services.AddSingleton<IRegistryStore>(_ => options.RegistryStore switch
        {
            "sqlite" => new SqliteRegistryStore(Path.Combine(dataDirectory, "registry.db")),
            "postgres" => new PostgresRegistryStore(options.Postgres),
            var other => throw Unknown("RegistryStore", other, "sqlite, postgres"),
        });
        services.AddSingleton<IArtifactStore>(_ => options.Artifacts switch
        {
            "local" => new LocalArtifactStore(Path.Combine(dataDirectory, "artifacts")),
            "s3" => new S3ArtifactStore(options.S3),
            var other => throw Unknown("Artifacts", other, "local, s3"),
        });
        return services;
    }

    private static ArgumentException Unknown(string seam, string value, string choices) =>
        new($"Cascade:Infrastructure:{seam} is '{value}'; choose one of {choices}.");
}
