using Cascade.Hosting.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Security;

/// <summary>
/// Holds REST request bodies (JSON transcoding, the Open Inference Protocol's REST routes) to the same limit as a gRPC
/// message (<see cref="GrpcServerOptions.MaxReceiveMessageSize"/>, 4 MiB by default) instead of Kestrel's 30 MB: a body
/// that says it is larger is refused at once with 413, one that grows larger while read fails there. gRPC and gRPC-Web
/// requests are left to gRPC, which limits each message of a stream rather than the stream.
/// </summary>
public static class RestBodyLimit
{
    public static WebApplication UseRestBodyLimit(this WebApplication app)
    {
        var limit = app.Services.GetRequiredService<IOptions<GrpcServerOptions>>().Value.MaxReceiveMessageSize;
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
            {
                if (context.Request.ContentLength > limit)
                {
                    context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                    await context.Response.WriteAsJsonAsync(new { error = $"the request body is {context.Request.ContentLength:N0} bytes; the limit is {limit:N0} (Grpc:Server:MaxReceiveMessageSize)" });
                    return;
                }
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                {
                    size.MaxRequestBodySize = limit;
                }
            }
            else if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } stream)
            {
                // Found by fuzzing: Kestrel's 30 MB cap applies to a whole request, so a client stream (Ingest, a
                // producer's long-lived connection) was cut off after 30 MB with UNKNOWN, however small its messages.
                stream.MaxRequestBodySize = null;
            }
            await next(context);
        });
        return app;
    }
}
