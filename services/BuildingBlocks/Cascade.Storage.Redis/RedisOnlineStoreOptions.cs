namespace Cascade.Storage.Redis;

/// <summary>How the Redis online store connects and how long vectors live.</summary>
public sealed class RedisOnlineStoreOptions
{
    public const string SectionName = "Cascade:Redis";

    /// <summary>
    /// StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,abortConnect=false</c>. Keep credentials out of
    /// it (<see cref="Password"/>, from a Secret): the string is shown in error messages only up to its endpoints.
    /// </summary>
    public string Configuration { get; set; } = "127.0.0.1:6379,abortConnect=false";

    /// <summary>
    /// The ACL user (Redis 6+) to authenticate as; empty for the <c>default</c> user (a plain <c>requirepass</c>).
    /// Overrides a <c>user=</c> in <see cref="Configuration"/>.
    /// </summary>
    public string User { get; set; } = string.Empty;

    /// <summary>The password (AUTH); empty for none. Overrides a <c>password=</c> in <see cref="Configuration"/>. A secret: never logged.</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary>Whether to connect over TLS (Redis's <c>tls-port</c>); also on with <c>ssl=true</c> in <see cref="Configuration"/>.</summary>
    /// <value>The default value is false.</value>
    public bool Ssl { get; set; }

    /// <summary>The CA certificate (PEM) that signs the server's certificate; empty for the system's roots.</summary>
    public string CaFile { get; set; } = string.Empty;

    /// <summary>The client certificate (PEM) to present: Redis asks for one unless <c>tls-auth-clients no</c>.</summary>
    public string ClientCertificateFile { get; set; } = string.Empty;

    /// <summary>The private key (PEM, unencrypted) of <see cref="ClientCertificateFile"/>.</summary>
    public string ClientKeyFile { get; set; } = string.Empty;

    /// <summary>Prefix of every key: <c>{prefix}:{view}:{entity}</c>, so several deployments can share a Redis.</summary>
    public string KeyPrefix { get; set; } = "cascade:fv";

    /// <summary>
    /// Time to live of a vector per feature view; a vector not refreshed for that long disappears (serving then answers
    /// NOT_FOUND for the entity). A view's own <c>ttl</c> (its spec), where set, takes precedence over this.
    /// </summary>
    public Dictionary<string, TimeSpan> TimeToLive { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Time to live of views without a <c>ttl</c> of their own and not named in <see cref="TimeToLive"/>; null keeps vectors until overwritten.</summary>
    public TimeSpan? DefaultTimeToLive { get; set; }
}
