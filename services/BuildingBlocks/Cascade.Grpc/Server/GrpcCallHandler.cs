using System.Diagnostics;
using Cascade.Grpc.Framing;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cascade.Grpc.Server;

/// <summary>
/// Runs one gRPC call on an HTTP/2 request: checks the request, applies deadline and size limits, invokes the
/// bound method and ends every call with a status (in trailers, or trailers-only). Shared by the middleware
/// (<see cref="GrpcServerExtensions.UseCascadeGrpc"/>) and endpoint routing (<see cref="GrpcServerExtensions.MapCascadeGrpc"/>).
/// </summary>
internal sealed class GrpcCallHandler(IOptions<GrpcServerOptions> options, ILogger<GrpcCallHandler> logger)
{
    private readonly GrpcServerOptions _options = options.Value;

    /// <summary>Serves a request addressed to a bound method.</summary>
    public Task HandleAsync(HttpContext httpContext, ServerMethodInvoker invoker)
    {
        if (!TryAcceptRequest(httpContext, contentTypeRequired: true))
        {
            return Task.CompletedTask;
        }
        return RunCallAsync(httpContext, invoker);
    }

    /// <summary>Answers a gRPC request for a method nothing is bound to: UNIMPLEMENTED, as a trailers-only response.</summary>
    public Task HandleUnimplementedAsync(HttpContext httpContext)
    {
        if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            // Not gRPC and no endpoint: what any unmatched request gets.
            httpContext.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        if (TryAcceptRequest(httpContext, contentTypeRequired: false))
        {
            var path = httpContext.Request.Path.Value ?? string.Empty;
            GrpcStatusWriter.WriteTrailersOnly(httpContext.Response, new Status(StatusCode.Unimplemented, $"Method is unimplemented: {path}"), trailers: null);
        }
        return Task.CompletedTask;
    }

    /// <summary>Checks method, content type and protocol; on failure the HTTP response already says what is wrong.</summary>
    private static bool TryAcceptRequest(HttpContext httpContext, bool contentTypeRequired)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return false;
        }
        if (contentTypeRequired && !GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            // As Grpc.AspNetCore does: HTTP 415, with a gRPC status for gRPC-aware callers.
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            GrpcStatusWriter.WriteTrailersOnly(response, new Status(StatusCode.Internal,
                $"Content-Type '{request.ContentType}' is not supported; gRPC requests use '{GrpcProtocol.ContentType}' or '{GrpcProtocol.ContentType}+proto'."), trailers: null);
            return false;
        }
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            // gRPC needs trailers: over HTTP/1.1 there is no way to deliver the status.
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return false;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        return true;
    }

    private async Task RunCallAsync(HttpContext httpContext, ServerMethodInvoker invoker)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var request = httpContext.Request;
        var response = httpContext.Response;

        var encoding = request.Headers.GrpcEncoding.ToString();
        if (encoding.Length > 0 && !IsSupportedEncoding(encoding))
        {
            response.Headers.GrpcAcceptEncoding = GrpcProtocol.SupportedEncodings;
            GrpcStatusWriter.WriteTrailersOnly(response, new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}'; supported: {GrpcProtocol.SupportedEncodings}."), trailers: null);
            GrpcServerMetrics.Record(invoker, StatusCode.Unimplemented, startedAt);
            return;
        }

        // Message sizes are limited per message by us; the whole body of a stream is unbounded.
        if (httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }
        if (invoker.HasRequestStream && httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
        {
            // A client stream may idle between messages; Kestrel's default rate limit would abort it
            // and, on HTTP/2, every other stream on the connection with it.
            minRate.MinDataRate = null;
        }

        ServerCallDeadline? deadline = null;
        var timeoutHeader = request.Headers.GrpcTimeout;
        if (timeoutHeader.Count > 0)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader.ToString(), out var timeout))
            {
                GrpcStatusWriter.WriteTrailersOnly(response, new Status(StatusCode.Internal, $"Malformed grpc-timeout header '{timeoutHeader}': expected up to 8 digits and a unit (H, M, S, m, u, n)."), trailers: null);
                GrpcServerMetrics.Record(invoker, StatusCode.Internal, startedAt);
                return;
            }
            deadline = ServerCallDeadline.Create(httpContext, timeout, logger);
        }

        var context = new ServerCallContext(httpContext, invoker.FullName, _options, encoding.Length > 0 && encoding != "identity" ? encoding : null, deadline);
        deadline?.Start(context);
        Status status = new(StatusCode.Cancelled, "The client went away.");
        try
        {
            try
            {
                await invoker.InvokeAsync(context).ConfigureAwait(false);
                status = Status.DefaultSuccess;
            }
            catch (RpcException ex)
            {
                status = ex.Status;
                if (ex.Trailers.Count > 0)
                {
                    var trailers = context.ResponseTrailers;
                    foreach (var entry in ex.Trailers)
                    {
                        trailers.Add(entry);
                    }
                }
            }
            catch (Exception ex) when (IsClientGone(ex, httpContext))
            {
                // The client reset the stream or disconnected: there is no one to send a status to.
                GrpcDispatcherLog.ClientEnded(logger, invoker.FullName, ex.GetType().Name);
                return;
            }
            catch (Exception ex) when (context.DeadlineExpired && ex is OperationCanceledException or IOException)
            {
                status = GrpcStatusWriter.DeadlineExceeded;
            }
            catch (Exception ex)
            {
                GrpcDispatcherLog.HandlerFailed(logger, invoker.FullName, ex);
                status = new Status(StatusCode.Unknown, _options.EnableDetailedErrors
                    ? $"Exception was thrown by handler. {ex.GetType().Name}: {ex.Message}"
                    : "Exception was thrown by handler.");
            }

            if (httpContext.RequestAborted.IsCancellationRequested || !context.TryCompleteByHandler())
            {
                // Gone, or the deadline has answered already.
                return;
            }
            if (status.StatusCode == StatusCode.DeadlineExceeded)
            {
                GrpcDispatcherLog.DeadlineExceeded(logger, invoker.FullName);
            }
            context.ApplyResponseHeaders();
            GrpcStatusWriter.WriteStatus(response, context.ResponseWritten, status, context.ResponseTrailersIfAny);
        }
        finally
        {
            if (deadline is not null)
            {
                // Whatever happened, the handler's side is done: from now on the deadline must not start
                // writing (the request is ending), and a DEADLINE_EXCEEDED it started must finish first.
                context.TryCompleteByHandler();
                await deadline.WaitForExpiryResponseAsync().ConfigureAwait(false);
                deadline.Dispose();
            }
            // What the client was told: DEADLINE_EXCEEDED when the timer answered, CANCELLED when it left first.
            GrpcServerMetrics.Record(invoker, context.CompletedByDeadlineTimer ? StatusCode.DeadlineExceeded : status.StatusCode, startedAt);
        }
    }

    private static bool IsSupportedEncoding(string encoding) =>
        encoding == "identity" || string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Kestrel reports a client reset as an IOException or ConnectionAbortedException, sometimes before
    /// RequestAborted fires; a completed response pipe surfaces as <see cref="ClientDisconnectedException"/>.
    /// </summary>
    private static bool IsClientGone(Exception ex, HttpContext httpContext) =>
        ex is ClientDisconnectedException or ConnectionAbortedException ||
        (httpContext.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException) ||
        (ex is IOException io && (io.Message.Contains("reset", StringComparison.OrdinalIgnoreCase) || io.Message.Contains("aborted", StringComparison.OrdinalIgnoreCase)));
}
