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

    /// <summary>
    /// What is wrong with the receivers, each named by its configuration key under <paramref name="section"/>. Checked
    /// here because the configuration binder skips a list element it cannot bind instead of failing: a mistyped
    /// severity would otherwise silently drop the receiver.
    /// </summary>
    public IEnumerable<string> Problems(string section)
    {
        for (var i = 0; i < Endpoints.Count; i++)
        {
            var endpoint = Endpoints[i];
            var at = $"{section}:Webhooks:Endpoints:{i}";
            if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                yield return $"{at}:Url is '{endpoint.Url}': give an absolute http:// or https:// URL";
            }
            if (!WebhookEndpoint.TryParseSeverity(endpoint.MinSeverity, out _))
            {
                yield return $"{at}:MinSeverity is '{endpoint.MinSeverity}': use Info, Warning or Critical";
            }
        }
    }
}

/// <summary>One receiver of alerts.</summary>
public sealed class WebhookEndpoint
{
    /// <summary>The URL alerts are POSTed to (JSON).</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The models whose alerts it receives; empty: every model.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>The least severity it receives: Info, Warning or Critical (text, so a mistyped value is refused by name rather than dropped by the binder).</summary>
    /// <value>The default value is Warning.</value>
    public string MinSeverity { get; set; } = "Warning";

    /// <summary>The key of the HMAC-SHA256 signature (<c>X-Cascade-Signature</c>); empty: unsigned (not recommended).</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Whether <paramref name="alert"/> is for this receiver.</summary>
    public bool Wants(DriftDetected alert) =>
        TryParseSeverity(MinSeverity, out var least) && alert.Severity >= least && (Models.Count == 0 || Models.Contains(alert.Model, StringComparer.Ordinal));

    /// <summary>Parses Info, Warning or Critical (case-insensitive).</summary>
    public static bool TryParseSeverity(string text, out Severity severity)
    {
        severity = text?.Trim().ToLowerInvariant() switch
        {
            "info" => Severity.Info,
            "warning" => Severity.Warning,
            "critical" => Severity.Critical,
            _ => Severity.Unspecified,
        };
        return severity != Severity.Unspecified;
    }

    /// <summary>The URL without its query string and credentials, for logs and metrics.</summary>
    public string Display() => Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}:{uri.Port}{uri.AbsolutePath}" : "(invalid url)";
}
