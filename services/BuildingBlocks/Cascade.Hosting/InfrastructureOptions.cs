using Cascade.EventLog.Kafka;
using Cascade.Storage.Redis;
using Cascade.Storage.S3;

namespace Cascade.Hosting;

/// <summary>
/// Which implementation stands behind each seam the services share. The defaults are the embedded all-in-one ones
/// (nothing to install); <see cref="LocalServers"/> picks the real servers that <c>./cascade infra up</c> starts.
/// </summary>
public sealed class InfrastructureOptions
{
    public const string SectionName = "Cascade:Infrastructure";

    /// <summary>The event log: <c>embedded</c> (SQLite) or <c>kafka</c>.</summary>
    public string EventLog { get; set; } = "embedded";

    public KafkaEventLogOptions Kafka { get; set; } = new();

    /// <summary>The online store: <c>in-process</c> or <c>redis</c>.</summary>
    public string OnlineStore { get; set; } = "in-process";

    public RedisOnlineStoreOptions Redis { get; set; } = new();

    /// <summary>The registry's metadata: <c>sqlite</c> or <c>postgres</c>.</summary>
    public string RegistryStore { get; set; } = "sqlite";

    /// <summary>
    /// Npgsql connection string when <see cref="RegistryStore"/> or <see cref="OfflineStore"/> is <c>postgres</c>. TLS is
    /// set here too: <c>SSL Mode=VerifyFull;Root Certificate=/etc/cascade/postgres-ca.crt</c> (and <c>SSL Certificate</c>,
    /// <c>SSL Key</c> for a client certificate). Keep the password out of it (<see cref="PostgresPassword"/>).
    /// </summary>
    public string Postgres { get; set; } = "Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres";

    /// <summary>
    /// The PostgreSQL password, from a Secret; overrides a <c>Password=</c> in <see cref="Postgres"/>. A secret: never logged.
    /// </summary>
    /// <value>The default value is empty: the connection string's own, or none (trust, a <c>.pgpass</c> file, <c>PGPASSWORD</c>).</value>
    public string PostgresPassword { get; set; } = string.Empty;

    /// <summary>The connection string the PostgreSQL stores open: <see cref="Postgres"/> with <see cref="PostgresPassword"/>. Never log it.</summary>
    public string PostgresConnectionString()
    {
        if (string.IsNullOrEmpty(PostgresPassword)) return Postgres;
        return new Npgsql.NpgsqlConnectionStringBuilder(Postgres) { Password = PostgresPassword }.ConnectionString;
    }

    /// <summary>Model artifacts: <c>local</c> (a directory) or <c>s3</c>.</summary>
    public string Artifacts { get; set; } = "local";

    public S3ArtifactStoreOptions S3 { get; set; } = new();

    /// <summary>
    /// The offline store, which Features writes and training workers read: <c>sqlite</c> (a file, see
    /// <see cref="OfflineStorePath"/>) or <c>postgres</c> (in the database of <see cref="Postgres"/>; the distributed
    /// deployment's choice, since SQLite's WAL is unsafe on a network file system).
    /// </summary>
    /// <value>The default value is <c>sqlite</c>.</value>
    public string OfflineStore { get; set; } = "sqlite";

    /// <summary>
    /// The offline store's SQLite file when <see cref="OfflineStore"/> is <c>sqlite</c>; empty means <c>offline.db</c>
    /// under the data directory. Only processes on one machine may share it (a local disk, never a network volume).
    /// </summary>
    public string OfflineStorePath { get; set; } = string.Empty;

    /// <summary>How training jobs reach workers.</summary>
    public JobTransport Jobs { get; set; } = JobTransport.InMemory;

    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>Every seam on the servers of <c>infra/</c> at their standard local ports (overridable by the same variables).</summary>
    public static InfrastructureOptions LocalServers()
    {
        static int Port(string variable, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(variable), out var port) ? port : fallback;
        return new InfrastructureOptions
        {
            EventLog = "kafka",
            Kafka = new KafkaEventLogOptions { BootstrapServers = $"127.0.0.1:{Port("KAFKA_PORT", 9092)}" },
            OnlineStore = "redis",
            Redis = new RedisOnlineStoreOptions { Configuration = $"127.0.0.1:{Port("REDIS_PORT", 6379)},abortConnect=false" },
            RegistryStore = "postgres",
            OfflineStore = "postgres",
            Postgres = $"Host=127.0.0.1;Port={Port("POSTGRES_PORT", 5432)};Username=postgres;Database=postgres",
            Artifacts = "s3",
            S3 = new S3ArtifactStoreOptions { ServiceUrl = $"http://127.0.0.1:{Port("S3_PORT", 9000)}" },
            Jobs = JobTransport.RabbitMq,
            RabbitMq = new RabbitMqOptions { Port = Port("RABBITMQ_PORT", 5672) },
        };
    }
}

/// <summary>How training jobs travel.</summary>
public enum JobTransport
{
    /// <summary>MassTransit's in-memory transport: workers in this process (the all-in-one host).</summary>
    InMemory,

    /// <summary>MassTransit over RabbitMQ: competing workers in any process, durable queues, a dead-letter queue per pool.</summary>
    RabbitMq,
}

/// <summary>Where the RabbitMQ broker is.</summary>
public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "127.0.0.1";

    [System.ComponentModel.DataAnnotations.Range(1, 65535)]
    public int Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    /// <summary>
    /// A prefix of every queue name (<c>{Namespace}.train-cpu</c>), so deployments or test runs that share one broker
    /// and virtual host never take each other's jobs; empty for none. A virtual host per deployment is the usual way,
    /// this is for brokers where creating one is not possible (and for tests, the same way Kafka's Namespace is).
    /// </summary>
    public string Namespace { get; set; } = string.Empty;

    public string Username { get; set; } = "guest";

    /// <summary>The password of <see cref="Username"/>. A secret: never logged; give it from a Secret.</summary>
    public string Password { get; set; } = "guest";

    /// <summary>Whether to connect over TLS (the broker's <c>listeners.ssl</c> port, usually 5671: set <see cref="Port"/> too).</summary>
    /// <value>The default value is false.</value>
    public bool Ssl { get; set; }

    /// <summary>The CA certificate (PEM) that signs the broker's certificate; empty for the system's roots. The host name is still checked.</summary>
    public string CaFile { get; set; } = string.Empty;

    /// <summary>The client certificate (PEM) to present when the broker asks for one (<c>ssl_options.verify = verify_peer</c>).</summary>
    public string ClientCertificateFile { get; set; } = string.Empty;

    /// <summary>The private key (PEM) of <see cref="ClientCertificateFile"/>.</summary>
    public string ClientKeyFile { get; set; } = string.Empty;
}
