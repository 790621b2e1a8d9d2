using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Grpc;

namespace Cascade.Monitoring.Grpc;

/// <summary>Method descriptors of <c>cascade.monitoring.v1.Monitoring</c>.</summary>
public static class MonitoringMethods
{
    public const string ServiceName = "cascade.monitoring.v1.Monitoring";

    public static readonly Method<WatchAlertsRequest, DriftDetected> WatchAlerts = new(MethodType.ServerStreaming, ServiceName, "WatchAlerts", WatchAlertsRequest.Parser, DriftDetected.Parser);
    public static readonly Method<ListAlertsRequest, ListAlertsResponse> ListAlerts = new(MethodType.Unary, ServiceName, "ListAlerts", ListAlertsRequest.Parser, ListAlertsResponse.Parser);
    public static readonly Method<GetModelHealthRequest, ModelHealth> GetModelHealth = new(MethodType.Unary, ServiceName, "GetModelHealth", GetModelHealthRequest.Parser, ModelHealth.Parser);
    public static readonly Method<AcknowledgeAlertRequest, AcknowledgeAlertResponse> AcknowledgeAlert = new(MethodType.Unary, ServiceName, "AcknowledgeAlert", AcknowledgeAlertRequest.Parser, AcknowledgeAlertResponse.Parser);
}
