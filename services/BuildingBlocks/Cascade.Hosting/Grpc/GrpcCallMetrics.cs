using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cascade.Hosting.Grpc;

/// <summary>
/// Every gRPC and gRPC-Web call the server ends, by service, method and status, with its duration: OpenTelemetry's
/// <c>rpc.server.call.duration</c> (seconds) with its gRPC attributes (<c>rpc.system</c>, <c>rpc.service</c>,
/// <c>rpc.method</c>, <c>rpc.grpc.status_code</c>). A middleware rather than an interceptor: it sees the status
/// the client was sent whoever set it (the handler, the deadline timer, a size limit, an unknown method), and
/// costs nothing while no listener is attached (the host's <c>/metrics</c> attaches one). REST calls are counted
/// by ASP.NET Core's own <c>http.server.request.duration</c>.
/// </summary>
public static class GrpcCallMetrics
{
    private static readonly Meter Meter = new("Cascade.Grpc");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "rpc.server.call.duration", unit: "s", description: "Duration of gRPC calls the server ended, by method and status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    // Boxed once: a tag value is an object, and boxing the code on every call would allocate on every call.
    private static readonly object[] StatusCodes = Enumerable.Range(0, 17).Select(code => (object)code).ToArray();

    /// <summary>Records gRPC calls; place after routing (it names the call by its endpoint) and inside gRPC-Web.</summary>
    public static IApplicationBuilder UseGrpcCallMetrics(this IApplicationBuilder app) => app.Use(static async (context, next) =>
    {
        if (!Duration.Enabled || context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } grpc || !IsGrpc(context.Request.ContentType))
        {
            await next(context);
            return;
        }
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var code = StatusOf(context);
            Duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new TagList
            {
                { "rpc.system", "grpc" },
                { "rpc.service", grpc.Method.ServiceName },
                { "rpc.method", grpc.Method.Name },
                { "rpc.grpc.status_code", (uint)code < StatusCodes.Length ? StatusCodes[code] : code },
            });
        }
    });

    private static bool IsGrpc(string? contentType) => contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>The grpc-status sent: in the trailers, or in the headers of a trailers-only response; CANCELLED if the client left first.</summary>
    private static int StatusOf(HttpContext context)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var value = trailers is not null && trailers.TryGetValue("grpc-status", out var t) ? t : context.Response.Headers["grpc-status"];
        return int.TryParse(value, out var code) ? code : (int)global::Grpc.Core.StatusCode.Cancelled;
    }
}
