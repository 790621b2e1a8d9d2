using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Cascade.Grpc.Client;

/// <summary>Maps HTTP and transport failures to gRPC statuses, as the gRPC spec and other implementations do.</summary>
internal static class StatusMapping
{
    private const long RefusedStream = 0x7;
    private const long Cancel = 0x8;
    private const long EnhanceYourCalm = 0xb;

    /// <summary>HTTP status of a response that carries no gRPC status (https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md).</summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>A transport exception as a status.</summary>
    public static Status FromException(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpProtocolException protocol when protocol.ErrorCode is EnhanceYourCalm or RefusedStream:
                    return new Status(StatusCode.Unavailable, $"The server refused the stream (HTTP/2 error 0x{protocol.ErrorCode:x}); retry later.");
                case HttpProtocolException protocol when protocol.ErrorCode == Cancel:
                    return new Status(StatusCode.Cancelled, "The server cancelled the stream.");
                case HttpProtocolException protocol:
                    return new Status(StatusCode.Internal, $"HTTP/2 protocol error 0x{protocol.ErrorCode:x}: {protocol.Message}");
                case SocketException socket:
                    return new Status(StatusCode.Unavailable, $"Failed to connect: {socket.SocketErrorCode}.");
                case StreamingRequestRetryException:
                    return new Status(StatusCode.Unavailable, current.Message);
            }
        }
        return exception is HttpRequestException or IOException
            ? new Status(StatusCode.Unavailable, $"Transport failure: {exception.Message}")
            : new Status(StatusCode.Internal, $"Client failure: {exception.GetType().Name}: {exception.Message}");
    }
}

/// <summary>
/// The HTTP handler asked a streaming request body for its data a second time (a silent retry after
/// REFUSED_STREAM or GOAWAY); the messages already written are gone, so the call must fail instead.
/// </summary>
internal sealed class StreamingRequestRetryException()
    : InvalidOperationException("The connection failed after the request stream had started; the call was not retried because its messages cannot be replayed.");
