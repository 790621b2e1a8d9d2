using Cascade.Grpc.Framing;
using Microsoft.AspNetCore.Http;

namespace Cascade.Grpc.Server;

/// <summary>
/// Middleware that serves gRPC without endpoint routing: a frozen-dictionary lookup by path, the cheapest
/// way to reach a handler. Requests without a gRPC content type pass through, except POSTs to a bound
/// method's path, which get HTTP 415.
/// </summary>
internal sealed class GrpcDispatcher(RequestDelegate next, GrpcMethodRegistry registry, GrpcCallHandler handler)
{
    public Task InvokeAsync(HttpContext httpContext)
    {
        var path = httpContext.Request.Path.Value ?? string.Empty;
        if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            return HttpMethods.IsPost(httpContext.Request.Method) && registry.TryGet(path, out var bound)
                ? handler.HandleAsync(httpContext, bound)
                : next(httpContext);
        }
        return registry.TryGet(path, out var invoker)
            ? handler.HandleAsync(httpContext, invoker)
            : handler.HandleUnimplementedAsync(httpContext);
    }
}
