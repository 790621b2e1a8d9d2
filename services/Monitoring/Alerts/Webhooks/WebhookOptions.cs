using System.ComponentModel.DataAnnotations;
using Cascade.Contracts.Events.V1;

namespace Cascade.Monitoring.Alerts.Webhooks;

/// <summary>
/// Where alerts are pushed besides <c>WatchAlerts</c> (section <c>Cascade:Monitoring:Webhooks</c>:
/// <c>Cascade__Monitoring__Webhooks__Endpoints__0__Url=https://…</c>, secrets from a Kubernetes Secret).
/// </summary>
public sealed class WebhookOptions
{
    /// <summary>The receivers; none by default.</summary>
    public List<WebhookEndpoint> Endpoints { get; set; } = [];

    /// <summary>Attempts per alert and receiver (the first included) before it is given up and counted as failed.</summary>
    /// <value>The default value is 6 (about a minute of retries).</value>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait after the first failed attempt; doubled after each further one.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may take.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>One receiver of alerts.</summary>
public sealed class WebhookEndpoint
{
    /// <summary>The URL alerts are POSTed to (JSON).</summary>
    [Required, Url]
    public string Url { get; set; } = string.Empty;

    /// <summary>The models whose alerts it receives; empty: every model.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>The least severity it receives.</summary>
    /// <value>The default value is WARNING.</value>
    public Severity MinSeverity { get; set; } = Severity.Warning;

    /// <summary>The key of the HMAC-SHA256 signature (<c>X-Cascade-Signature</c>); empty: unsigned (not recommended).</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Whether <paramref name="alert"/> is for this receiver.</summary>
    public bool Wants(DriftDetected alert) =>
        alert.Severity >= MinSeverity && (Models.Count == 0 || Models.Contains(alert.Model, StringComparer.Ordinal));

    /// <summary>The URL without its query string and credentials, for logs and metrics.</summary>
    public string Display() => Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}:{uri.Port}{uri.AbsolutePath}" : "(invalid url)";
}
