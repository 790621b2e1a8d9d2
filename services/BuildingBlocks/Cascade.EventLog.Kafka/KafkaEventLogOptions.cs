using System.ComponentModel.DataAnnotations;

namespace Cascade.EventLog.Kafka;

/// <summary>How the Kafka event log reaches its cluster. The defaults fit the local Kafka 0.9 broker of <c>infra/</c>.</summary>
public sealed class KafkaEventLogOptions
{
    public const string SectionName = "Cascade:Kafka";

    /// <summary>Comma-separated <c>host:port</c> list.</summary>
    [Required]
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>
    /// Whether the client asks the broker which protocol versions it speaks. Kafka 0.9 does not understand the
    /// question (it closes the connection), so the local broker needs false and <see cref="BrokerVersionFallback"/>;
    /// a modern cluster (0.10+) wants true, the librdkafka default.
    /// </summary>
    /// <value>The default value is false (the local 0.9 broker).</value>
    public bool ApiVersionRequest { get; set; }

    /// <summary>The broker version assumed when <see cref="ApiVersionRequest"/> is false.</summary>
    /// <value>The default value is <c>0.9.0.1</c>.</value>
    public string BrokerVersionFallback { get; set; } = "0.9.0.1";

    /// <summary>
    /// Partitions of a topic created by <see cref="KafkaEventLog.CreateTopicAsync"/>. Kafka 0.9 has no admin API that
    /// works from librdkafka (CreateTopics hangs), so topics are auto-created by the broker with its
    /// <c>num.partitions</c>; this must match it (the check fails loudly otherwise). On a modern cluster, create
    /// topics ahead with the cluster's tools or enable auto-creation.
    /// </summary>
    /// <value>The default value is 4, as <c>infra/</c> configures the broker.</value>
    [Range(1, 10_000)]
    public int DefaultPartitions { get; set; } = 4;

    /// <summary>Consumer group session timeout; must not exceed the broker's <c>group.max.session.timeout.ms</c> (30 s by default).</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a produce may take before it fails (delivery report with an error).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MessageTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long metadata and watermark queries may take.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How clients talk to the brokers: <c>Plaintext</c>, <c>Ssl</c> (TLS, optionally with a client certificate: what
    /// the local Kafka 0.9 can do), <c>SaslPlaintext</c> or <c>SaslSsl</c> (a modern cluster's usernames and passwords).
    /// </summary>
    /// <value>The default value is <c>Plaintext</c>.</value>
    public Confluent.Kafka.SecurityProtocol SecurityProtocol { get; set; } = Confluent.Kafka.SecurityProtocol.Plaintext;

    /// <summary>The CA certificates (PEM) that sign the brokers' certificates (librdkafka <c>ssl.ca.location</c>); empty for the system's roots.</summary>
    public string SslCaFile { get; set; } = string.Empty;

    /// <summary>The client certificate (PEM) presented to brokers that require one (<c>ssl.client.auth=required</c>; librdkafka <c>ssl.certificate.location</c>).</summary>
    public string SslCertificateFile { get; set; } = string.Empty;

    /// <summary>The private key (PEM) of <see cref="SslCertificateFile"/> (librdkafka <c>ssl.key.location</c>).</summary>
    public string SslKeyFile { get; set; } = string.Empty;

    /// <summary>The password of an encrypted <see cref="SslKeyFile"/> (librdkafka <c>ssl.key.password</c>). A secret: never logged.</summary>
    public string SslKeyPassword { get; set; } = string.Empty;

    /// <summary>
    /// The SASL mechanism when <see cref="SecurityProtocol"/> is <c>SaslSsl</c> or <c>SaslPlaintext</c>: <c>Plain</c>,
    /// <c>ScramSha256</c>, <c>ScramSha512</c> (librdkafka <c>sasl.mechanism</c>). Kafka 0.9 has none of them, so this is
    /// configuration for modern clusters, not tested here.
    /// </summary>
    /// <value>The default value is null: no SASL.</value>
    public Confluent.Kafka.SaslMechanism? SaslMechanism { get; set; }

    /// <summary>The SASL username (librdkafka <c>sasl.username</c>).</summary>
    public string SaslUsername { get; set; } = string.Empty;

    /// <summary>The SASL password (librdkafka <c>sasl.password</c>). A secret: never logged.</summary>
    public string SaslPassword { get; set; } = string.Empty;

    /// <summary>
    /// Any other librdkafka client property, passed through as given (<c>ssl.endpoint.identification.algorithm</c>,
    /// <c>sasl.oauthbearer.*</c> …); these win over the settings above.
    /// </summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Prefix of every topic and consumer group this deployment uses (<c>{namespace}.{topic}</c>), so several
    /// deployments (or test runs) can share one cluster without reading each other's events; empty for none.
    /// </summary>
    public string Namespace { get; set; } = string.Empty;

    internal string Physical(string name) => string.IsNullOrEmpty(Namespace) ? name : $"{Namespace}.{name}";

    internal string Logical(string physical) => string.IsNullOrEmpty(Namespace) ? physical : physical[(Namespace.Length + 1)..];
}
