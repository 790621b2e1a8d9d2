using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cascade.Grpc.Server;

/// <summary>
/// Every call the server ends, by method and status, with its duration: OpenTelemetry's <c>rpc.server.call.duration</c>
/// (seconds) with the gRPC tags, so dashboards made for other gRPC servers read it. Recording costs nothing while
/// no listener is attached (the host's <c>/metrics</c> attaches one).
/// </summary>
internal static class GrpcServerMetrics
{
    private static readonly Meter Meter = new("Cascade.Grpc");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "rpc.server.call.duration", unit: "s", description: "Duration of gRPC calls the server ended, by method and status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    public static void Record(string method, StatusCode status, long startedAt)
    {
        if (!Duration.Enabled) return;
        Duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
            new KeyValuePair<string, object?>("rpc.system", "grpc"),
            new KeyValuePair<string, object?>("rpc.method", method),
            new KeyValuePair<string, object?>("rpc.grpc.status_code", (int)status));
    }
}
