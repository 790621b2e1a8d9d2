using System.ComponentModel.DataAnnotations;

namespace Cascade.Hosting.Security;

/// <summary>
/// Who may call a Cascade process (section <c>Cascade:Auth</c>: <c>Cascade__Auth__Enabled=true</c>, or
/// <c>./cascade up --auth</c>). Health, liveness and reflection stay open; <c>/metrics</c> too unless <see cref="ProtectMetrics"/>.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Cascade:Auth";

    /// <summary>Whether every call needs a key or token and is authorized by role.</summary>
    /// <value>The default value is false: a host on loopback runs open (and says so); on any other address it refuses to start unless <see cref="Insecure"/>.</value>
    public bool Enabled { get; set; }

    /// <summary>Lets a host without authentication listen on a non-loopback address (behind a trusted proxy or mesh that authenticates).</summary>
    /// <value>The default value is false.</value>
    public bool Insecure { get; set; }

    /// <summary>The API keys file (salted hashes only), as <c>./cascade keys create</c> writes it; reloaded when it changes.</summary>
    /// <value>The default value is empty: <c>keys.json</c> in the process's data directory.</value>
    public string KeysFile { get; set; } = string.Empty;

    /// <summary>Whether <c>/metrics</c> needs a key (role reader or service).</summary>
    /// <value>The default value is false: scrapers usually carry no credentials.</value>
    public bool ProtectMetrics { get; set; }

    /// <summary>The API key this process sends when it calls another Cascade service (its service identity); from a Secret in Kubernetes.</summary>
    /// <value>The default value is empty: calls carry no credentials.</value>
    public string ServiceKey { get; set; } = string.Empty;

    /// <summary>A file holding <see cref="ServiceKey"/> (a mounted Secret); read at start when the key itself is not set.</summary>
    /// <value>The default value is empty.</value>
    public string ServiceKeyFile { get; set; } = string.Empty;

    /// <summary>Bearer tokens from an OpenID Connect provider.</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Per-principal request rates.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>The key this process sends to others, from <see cref="ServiceKey"/> or <see cref="ServiceKeyFile"/>; null when neither is set.</summary>
    public string? ReadServiceKey() =>
        !string.IsNullOrWhiteSpace(ServiceKey) ? ServiceKey.Trim()
        : !string.IsNullOrWhiteSpace(ServiceKeyFile) ? File.ReadAllText(ServiceKeyFile).Trim()
        : null;
}

/// <summary>JWT bearer tokens (section <c>Cascade:Auth:Jwt</c>); on when <see cref="Issuer"/> is set.</summary>
public sealed class JwtOptions
{
    /// <summary>The issuer (<c>iss</c>) tokens must carry.</summary>
    /// <value>The default value is empty: JWTs are not accepted.</value>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>The audience (<c>aud</c>) tokens must carry.</summary>
    /// <value>The default value is <c>cascade</c>.</value>
    [Required]
    public string Audience { get; set; } = "cascade";

    /// <summary>Where the provider publishes its signing keys (a JWKS document over HTTPS); fetched at start and again when a token names an unknown key.</summary>
    /// <value>The default value is empty.</value>
    public string JwksUrl { get; set; } = string.Empty;

    /// <summary>A JWKS document on disk (air-gapped clusters, tests); reloaded when it changes.</summary>
    /// <value>The default value is empty.</value>
    public string JwksFile { get; set; } = string.Empty;

    /// <summary>The claim holding the Cascade role (one of reader, predictor, producer, operator, admin, service; the highest wins when several).</summary>
    /// <value>The default value is <c>cascade_role</c>.</value>
    [Required]
    public string RoleClaim { get; set; } = "cascade_role";

    /// <summary>The claim listing the models the token is limited to (absent: every model).</summary>
    /// <value>The default value is <c>cascade_models</c>.</value>
    [Required]
    public string ModelsClaim { get; set; } = "cascade_models";

    /// <summary>The claim naming the principal in the audit log.</summary>
    /// <value>The default value is <c>sub</c>.</value>
    [Required]
    public string NameClaim { get; set; } = "sub";

    /// <summary>Tolerated clock difference with the provider.</summary>
    /// <value>The default value is 60 seconds.</value>
    [Range(0, 600)]
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>Whether JWTs are accepted.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);
}

/// <summary>
/// Per-principal token buckets (section <c>Cascade:Auth:RateLimits</c>) for the data-plane calls; 0 turns one off.
/// A call over the limit gets RESOURCE_EXHAUSTED (HTTP 429) with a <c>retry-after</c> hint.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Predictions (Predict, PredictBatch, Explain, ModelInfer; each streamed request counts) per second per principal.</summary>
    /// <value>The default value is 0: unlimited.</value>
    [Range(0, 10_000_000)]
    public int PredictPerSecond { get; set; }

    /// <summary>Ingest calls (a batch, a stream, labels) per second per principal.</summary>
    /// <value>The default value is 0: unlimited.</value>
    [Range(0, 10_000_000)]
    public int IngestPerSecond { get; set; }

    /// <summary>How many seconds' worth of calls a principal may burst above its rate.</summary>
    /// <value>The default value is 1.</value>
    [Range(1, 3600)]
    public int BurstSeconds { get; set; } = 1;
}
