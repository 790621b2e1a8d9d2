using Microsoft.AspNetCore.Http;

namespace Cascade.Grpc.Server;

/// <summary>Per-call facts the dispatcher and the invokers share.</summary>
internal sealed class CallState(HttpContext httpContext, ServerCallContext context, GrpcServerOptions options, string? requestEncoding)
{
    public HttpContext HttpContext { get; } = httpContext;

    public ServerCallContext Context { get; } = context;

    public GrpcServerOptions Options { get; } = options;

    public string? RequestEncoding { get; } = requestEncoding;

    /// <summary>Set once a response message was written: the status must then go in trailers, not trailers-only headers.</summary>
    public bool ResponseWritten { get; set; }
}
