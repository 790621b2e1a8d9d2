using Cascade.Grpc.Framing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cascade.Grpc.Server;

/// <summary>
/// Terminal middleware for requests with a gRPC content type: routes by path to the bound method,
/// applies deadline and size limits, and ends every call with a status (in trailers, or trailers-only).
/// </summary>
internal sealed class GrpcDispatcher(RequestDelegate next, GrpcMethodRegistry registry, IOptions<GrpcServerOptions> options, ILogger<GrpcDispatcher> logger)
{
    private readonly GrpcServerOptions _options = options.Value;

    public Task InvokeAsync(HttpContext httpContext)
    {
        if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            return next(httpContext);
        }
        return HandleAsync(httpContext);
    }

    private async Task HandleAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        if (httpContext.Request.Protocol != "HTTP/2" && httpContext.Request.Protocol != "HTTP/3")
        {
            // gRPC needs trailers: over HTTP/1.1 there is no way to deliver the status.
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        var path = request.Path.Value ?? string.Empty;

        if (!registry.TryGet(path, out var invoker))
        {
            WriteTrailersOnly(response, new Status(StatusCode.Unimplemented, $"Method is unimplemented: {path}"), trailers: null);
            return;
        }

        var encoding = request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && encoding != "identity" && !string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
            WriteTrailersOnly(response, new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}'; supported: {GrpcProtocol.SupportedEncodings}."), trailers: null);
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

        var deadline = DateTime.MaxValue;
        CancellationTokenSource? deadlineSource = null;
        var timeoutHeader = request.Headers[GrpcProtocol.TimeoutHeader].ToString();
        if (timeoutHeader.Length > 0)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader, out var timeout))
            {
                WriteTrailersOnly(response, new Status(StatusCode.Internal, $"Malformed grpc-timeout header '{timeoutHeader}'."), trailers: null);
                return;
            }
            deadline = DateTime.UtcNow + timeout;
            deadlineSource = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
            deadlineSource.CancelAfter(timeout);
        }

        var callToken = deadlineSource?.Token ?? httpContext.RequestAborted;
        var context = new ServerCallContext(httpContext, path, deadline, callToken);
        var call = new CallState(httpContext, context, _options, encoding.Length > 0 ? encoding : null);
        Status status;
        try
        {
            await invoker.InvokeAsync(call).ConfigureAwait(false);
            status = Status.DefaultSuccess;
        }
        catch (RpcException ex)
        {
            status = ex.Status;
            foreach (var entry in ex.Trailers)
            {
                AddEntry(context.ResponseTrailers, entry);
            }
        }
        catch (Exception ex) when (ex is ClientDisconnectedException || (httpContext.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException))
        {
            // Kestrel reports a client reset as an IOException, sometimes before RequestAborted fires;
            // either way the client is gone and there is no one to send a status to.
            GrpcDispatcherLog.ClientEnded(logger, path, ex.GetType().Name);
            return;
        }
        catch (Exception ex) when (deadlineSource is { IsCancellationRequested: true } && ex is OperationCanceledException or IOException)
        {
            GrpcDispatcherLog.DeadlineExceeded(logger, path);
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        catch (IOException ex) when (IsClientReset(ex))
        {
            GrpcDispatcherLog.ClientEnded(logger, path, ex.Message);
            return;
        }
        catch (Exception ex)
        {
            GrpcDispatcherLog.HandlerFailed(logger, path, ex);
            status = new Status(StatusCode.Unknown, _options.EnableDetailedErrors
                ? $"Exception was thrown by handler. {ex.GetType().Name}: {ex.Message}"
                : "Exception was thrown by handler.");
        }
        finally
        {
            deadlineSource?.Dispose();
        }

        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        if (call.ResponseWritten || response.HasStarted)
        {
            WriteTrailers(response, status, context.ResponseTrailers);
        }
        else
        {
            context.ApplyResponseHeaders();
            WriteTrailersOnly(response, status, context.ResponseTrailers);
        }
    }

    private static bool IsClientReset(IOException ex) =>
        ex.Message.Contains("reset", StringComparison.OrdinalIgnoreCase) ||
        ex.Message.Contains("aborted", StringComparison.OrdinalIgnoreCase);

    private static void WriteTrailers(HttpResponse response, Status status, Metadata trailers)
    {
        response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(status.Detail))
        {
            response.AppendTrailer(GrpcProtocol.MessageHeader, StatusMessageEncoding.Encode(status.Detail));
        }
        foreach (var entry in trailers)
        {
            response.AppendTrailer(entry.Key, Metadata.ToWireValue(entry));
        }
    }

    /// <summary>An error before any message: the status travels in the only HEADERS frame, which ends the stream.</summary>
    private static void WriteTrailersOnly(HttpResponse response, Status status, Metadata? trailers)
    {
        response.Headers[GrpcProtocol.StatusHeader] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            response.Headers[GrpcProtocol.MessageHeader] = StatusMessageEncoding.Encode(status.Detail);
        }
        if (trailers is not null)
        {
            foreach (var entry in trailers)
            {
                response.Headers.Append(entry.Key, Metadata.ToWireValue(entry));
            }
        }
    }

    private static void AddEntry(Metadata target, Metadata.Entry entry)
    {
        if (entry.Bytes is not null)
        {
            target.Add(entry.Key, entry.Bytes);
        }
        else
        {
            target.Add(entry.Key, entry.Value!);
        }
    }
}
