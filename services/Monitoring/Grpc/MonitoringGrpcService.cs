using Cascade.Hosting.Security;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Monitoring.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Storage;

namespace Cascade.Monitoring.Grpc;

/// <summary>The Monitoring gRPC API for ops consoles: alert streams and lists, acknowledgements, model health, drift history, distributions.</summary>
public sealed class MonitoringGrpcService(MonitoringStore store, AlertFeed feed, ModelMonitors monitors) : Contracts.Monitoring.V1.Monitoring.MonitoringBase
{
    private const int MaxReplay = 1_000;

    public override Task WatchAlerts(WatchAlertsRequest request, IServerStreamWriter<DriftDetected> responseStream, ServerCallContext context) => WatchAlertsAsync(request, responseStream, context);

    public override Task<ListAlertsResponse> ListAlerts(ListAlertsRequest request, ServerCallContext context) =>
        Task.FromResult(ListAlerts(request));

    public override Task<Contracts.Monitoring.V1.ModelHealth> GetModelHealth(GetModelHealthRequest request, ServerCallContext context) =>
        Task.FromResult(Health(request));

    public override Task<AcknowledgeAlertResponse> AcknowledgeAlert(AcknowledgeAlertRequest request, ServerCallContext context) =>
        Task.FromResult(Acknowledge(request, context));

    public override Task<DriftHistory> GetDriftHistory(GetDriftHistoryRequest request, ServerCallContext context) =>
        Task.FromResult(DriftHistory(request));

    public override Task<Distribution> GetDistribution(GetDistributionRequest request, ServerCallContext context)
    {
        DistributionRequests.Check(request);
        return Task.FromResult(DistributionRequests.ToMessage(request.Model, monitors.Distribution(request.Model, request.Version, request.Feature)));
    }

    private async Task WatchAlertsAsync(WatchAlertsRequest request, IServerStreamWriter<DriftDetected> responses, ServerCallContext context)
    {
        if (request.Replay is < 0 or > MaxReplay)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"replay must be between 0 and {MaxReplay}; got {request.Replay}."));
        }
        var models = request.Models.ToHashSet(StringComparer.Ordinal);
        bool Wanted(DriftDetected alert) => (models.Count == 0 || models.Contains(alert.Model)) && alert.Severity >= request.MinSeverity;

        // Subscribe before reading the replay, so nothing raised in between is missed; the replay's ids are
        // remembered to skip the same alerts if the live feed delivers them too.
        using var subscription = feed.Watch();
        var replayed = new HashSet<string>(StringComparer.Ordinal);
        if (request.Replay > 0)
        {
            var recent = store.RecentAlerts(null, MaxReplay * 4).Where(Wanted).Take(request.Replay).Reverse();
            foreach (var alert in recent)
            {
                replayed.Add(alert.AlertId);
                await responses.WriteAsync(alert, context.CancellationToken);
            }
        }
        try
        {
            await foreach (var alert in subscription.Alerts.ReadAllAsync(context.CancellationToken))
            {
                if (Wanted(alert) && !replayed.Contains(alert.AlertId))
                {
                    await responses.WriteAsync(alert, context.CancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The console went away, or the host is stopping: the stream ends.
        }
    }

    private ListAlertsResponse ListAlerts(ListAlertsRequest request)
    {
        if (request.Limit < 0) throw new RpcException(new Status(StatusCode.InvalidArgument, $"limit cannot be negative; got {request.Limit}."));
        var limit = request.Limit == 0 ? 100 : Math.Min(request.Limit, MaxReplay);
        var alerts = store.RecentAlerts(request.Model, limit);
        var response = new ListAlertsResponse { Alerts = { alerts } };
        foreach (var (alertId, acknowledgement) in store.Acknowledgements(alerts.Select(a => a.AlertId).ToArray()))
        {
            response.Acknowledgements[alertId] = new AlertAcknowledgement { Actor = acknowledgement.Actor, At = Timestamp.FromDateTimeOffset(acknowledgement.At) };
        }
        return response;
    }

    private Contracts.Monitoring.V1.ModelHealth Health(GetModelHealthRequest request)
    {
        if (string.IsNullOrEmpty(request.Model)) throw new RpcException(new Status(StatusCode.InvalidArgument, "model is required."));
        var health = monitors.Health(request.Model)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Model '{request.Model}' is not monitored: no version of it has been promoted yet."));
        var response = new Contracts.Monitoring.V1.ModelHealth
        {
            Model = health.Model,
            Version = health.Version ?? 0,
            PredictionsSeen = health.Counters.PredictionsSeen,
            LabelsJoined = health.Counters.LabelsJoined,
            PredictionsRepeated = health.Counters.PredictionsRepeated,
            WindowSize = health.WindowCount,
            NoReferenceProfile = health.NoReferenceProfile,
            WithheldFeatures = { health.WithheldFeatures },
        };
        response.Features.AddRange(health.Features.Select(AlertMapping.ToScore));
        if (health.Prediction is { } prediction) response.Prediction = AlertMapping.ToScore(prediction);
        foreach (var (metric, value) in health.Performance) response.Performance[metric] = value;
        foreach (var (metric, value) in health.EstimatedPerformance) response.EstimatedPerformance[metric] = value;
        foreach (var (metric, value) in health.EstimationError) response.EstimationError[metric] = value;
        response.Detectors.AddRange(health.Detectors.Select(d => new DetectorState { Name = d.Name, Estimate = d.Estimation, Width = d.Width, Detections = d.Detections }));
        if (health.Fairness is { } fairness) response.Fairness = AlertMapping.ToFairness(fairness);
        response.SegmentProblem = health.SegmentProblem ?? "";
        return response;
    }

    private DriftHistory DriftHistory(GetDriftHistoryRequest request)
    {
        var query = DriftHistoryRequests.Parse(request);
        var (monitored, features, versions) = store.DriftHistoryCatalog(query.Model);
        if (!monitored && monitors.Health(query.Model) is null)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Model '{query.Model}' is not monitored: no version of it has been promoted yet."));
        }
        if (query.Version != 0 && !versions.Contains(query.Version))
        {
            var known = versions.Count == 0 ? "none yet (no window has been evaluated)" : string.Join(", ", versions.Select(v => $"v{v}"));
            throw new RpcException(new Status(StatusCode.NotFound, $"Model '{query.Model}' has no drift history for v{query.Version}; versions with history: {known}."));
        }
        var unknown = query.Features.Where(f => !features.Contains(f)).ToArray();
        if (unknown.Length > 0)
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"Model '{query.Model}' has no drift history for feature(s) {string.Join(", ", unknown.Select(f => $"'{f}'"))}; its features: {string.Join(", ", features.Order(StringComparer.Ordinal))}."));
        }
        return DriftHistoryRequests.ToMessage(query.Model, store.DriftHistory(query));
    }

    private AcknowledgeAlertResponse Acknowledge(AcknowledgeAlertRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.AlertId)) throw new RpcException(new Status(StatusCode.InvalidArgument, "alert_id is required."));
        // With authentication on, the principal acknowledges; without it, the caller must at least say who it is.
        if (!CallerIdentity.IsAuthenticated(context) && string.IsNullOrWhiteSpace(request.Actor)) throw new RpcException(new Status(StatusCode.InvalidArgument, "actor is required: say who acknowledges the alert."));
        if (!store.Acknowledge(request.AlertId, CallerIdentity.Actor(context, request.Actor))) throw new RpcException(new Status(StatusCode.NotFound, $"No alert '{request.AlertId}'."));
        return new AcknowledgeAlertResponse();
    }
}
