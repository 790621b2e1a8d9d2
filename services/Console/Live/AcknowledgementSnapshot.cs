using Cascade.Contracts.Monitoring.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cascade.WebConsole.Live;

/// <summary>
/// Who acknowledged which of the alerts the live stream replays. <c>WatchAlerts</c> streams bare <c>DriftDetected</c>
/// events (the event type carries no acknowledgement), so the snapshot reads them from <c>ListAlerts</c> for the same
/// models and at least as many recent alerts, and the page shows acknowledged alerts as such from its first render.
/// </summary>
internal static class AcknowledgementSnapshot
{
    /// <summary>
    /// <c>{"acknowledgements": {alertId: {"actor", "at"}}}</c> in proto JSON (as the REST <c>GET /v1/alerts</c> writes
    /// it) for the <paramref name="replay"/> most recent alerts of <paramref name="models"/> (none: every model).
    /// </summary>
    public static async Task<string> JsonAsync(Contracts.Monitoring.V1.Monitoring.MonitoringClient client, IReadOnlyList<string> models, int replay, Metadata metadata,
        CancellationToken cancellationToken)
    {
        var snapshot = new ListAlertsResponse();
        if (replay > 0)
        {
            // ListAlerts filters by one model: a key limited to several asks once for each.
            foreach (var model in models.Count == 0 ? [""] : models)
            {
                var listed = await client.ListAlertsAsync(new ListAlertsRequest { Model = model, Limit = replay }, metadata, cancellationToken: cancellationToken);
                snapshot.Acknowledgements.Add(listed.Acknowledgements);
            }
        }
        return JsonFormatter.Default.Format(snapshot);
    }
}
