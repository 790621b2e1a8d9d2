using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Text;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Cascade.Monitoring.Alerts.Webhooks;

/// <summary>
/// Pushes every alert on <c>cascade.monitoring.drift.v1</c> to the configured webhooks: a JSON body (the alert as the
/// REST API writes it), signed (<see cref="WebhookSignature"/>), retried with doubling backoff. Delivery is at least
/// once: the consumer group commits after each batch, so a restart may deliver an alert again, with the same
/// <c>X-Cascade-Event-Id</c> (the alert id) for receivers to deduplicate. A receiver still failing after
/// <see cref="WebhookOptions.MaxAttempts"/> is given up for that alert, logged and counted on <c>/metrics</c>
/// (<c>cascade_monitoring_webhook_failures_total</c>), so one dead receiver cannot hold back the others.
/// </summary>
public sealed partial class AlertWebhookHandler(WebhookOptions options, HttpClient http, TimeProvider time, ILogger<AlertWebhookHandler> logger) : IEventBatchHandler
{
    private const string Group = "monitoring-webhooks";
    private static readonly Meter Meter = new("Cascade.Monitoring.Webhooks");
    private static readonly Counter<long> Delivered = Meter.CreateCounter<long>("cascade.monitoring.webhook.deliveries", "{alert}", "Alerts delivered to a webhook, by endpoint.");
    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("cascade.monitoring.webhook.failures", "{alert}", "Alerts a webhook did not accept after every attempt, by endpoint.");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("cascade.monitoring.webhook.retries", "{attempt}", "Failed webhook attempts that were retried, by endpoint.");
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public EventHandlerOptions Options { get; } = new()
    {
        Subscription = new ConsumerOptions(Group, [Topics.DriftDetected], MaxBatchSize: 100),
        PollInterval = TimeSpan.FromMilliseconds(500),
    };

    public async Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            var alert = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), DriftDetected.Parser);
            var receivers = options.Endpoints.Where(e => e.Wants(alert)).ToArray();
            if (receivers.Length == 0) continue;
            var body = Encoding.UTF8.GetBytes(Json.Format(alert));
            await Task.WhenAll(receivers.Select(endpoint => DeliverAsync(endpoint, alert.AlertId, body, cancellationToken)));
        }
        return BatchResult.Commit;
    }

    /// <summary>Delivers one alert to one receiver, retrying; true when it was accepted (any 2xx).</summary>
    public async Task<bool> DeliverAsync(WebhookEndpoint endpoint, string alertId, byte[] body, CancellationToken cancellationToken)
    {
        var where = new KeyValuePair<string, object?>("endpoint", endpoint.Display());
        var backoff = options.InitialBackoff;
        string? lastError = null;
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Timeout);
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
                request.Headers.Add(WebhookSignature.EventIdHeader, alertId);
                request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (endpoint.Secret.Length > 0) request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(endpoint.Secret, timestamp, body));
                using var response = await http.SendAsync(request, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    Delivered.Add(1, where);
                    return true;
                }
                lastError = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastError = ex is TaskCanceledException ? $"no answer within {options.Timeout.TotalSeconds:0.#} s" : ex.Message;
            }
            if (attempt == options.MaxAttempts) break;
            Retries.Add(1, where);
            await Task.Delay(backoff, time, cancellationToken);
            backoff *= 2;
        }
        Failed.Add(1, where);
        LogGaveUp(logger, alertId, endpoint.Display(), options.MaxAttempts, lastError ?? "unknown");
        return false;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook gave up alert {AlertId} for {Endpoint} after {Attempts} attempts (last: {Error})")]
    private static partial void LogGaveUp(ILogger logger, string alertId, string endpoint, int attempts, string error);
}
