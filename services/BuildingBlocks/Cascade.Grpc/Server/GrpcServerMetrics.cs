using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cascade.Grpc.Server;

/// <summary>
/// Every call the server ends, by service, method and status, with its duration: OpenTelemetry's
/// <c>rpc.server.call.duration</c> (seconds) with its gRPC attributes (<c>rpc.system</c>, <c>rpc.service</c>,
/// <c>rpc.method</c>, <c>rpc.grpc.status_code</c>). Recording costs nothing while no listener is attached (the
/// host's <c>/metrics</c> attaches one).
/// </summary>
internal static class GrpcServerMetrics
{
    private static readonly Meter Meter = new("Cascade.Grpc");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "rpc.server.call.duration", unit: "s", description: "Duration of gRPC calls the server ended, by method and status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    // Boxed once: a tag value is an object, and boxing the code on every call would allocate on every call.
    private static readonly object[] StatusCodes = Enumerable.Range(0, 17).Select(code => (object)code).ToArray();

    public static void Record(ServerMethodInvoker method, StatusCode status, long startedAt)
    {
        if (!Duration.Enabled) return;
        var code = (int)status;
        var tags = new TagList
        {
            { "rpc.system", "grpc" },
            { "rpc.service", method.ServiceName },
            { "rpc.method", method.MethodName },
            { "rpc.grpc.status_code", (uint)code < StatusCodes.Length ? StatusCodes[code] : code },
        };
        Duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tags);
    }
}
