using System.Globalization;
using Cascade.Grpc.Framing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cascade.Grpc.Server;

/// <summary>Puts a call's status on the wire: in trailers after messages, or alone in a trailers-only response.</summary>
internal static class GrpcStatusWriter
{
    public static readonly Status DeadlineExceeded = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    // grpc-status values as strings, built once: formatting an int per call would allocate.
    private static readonly string[] StatusCodeStrings = BuildStatusCodeStrings();

    /// <summary>Writes the status as trailers if the response has started, else as a trailers-only response.</summary>
    public static void WriteStatus(HttpResponse response, bool messagesWritten, Status status, Metadata? trailers)
    {
        if (messagesWritten || response.HasStarted)
        {
            WriteTrailers(response, status, trailers);
        }
        else
        {
            WriteTrailersOnly(response, status, trailers);
        }
    }

    /// <summary>The status as HTTP/2 trailers, after the messages.</summary>
    public static void WriteTrailers(HttpResponse response, Status status, Metadata? trailers)
    {
        var feature = response.HttpContext.Features.Get<IHttpResponseTrailersFeature>()
            ?? throw new InvalidOperationException("The server does not support response trailers; gRPC needs HTTP/2.");
        var headers = feature.Trailers;
        headers.GrpcStatus = ToWire(status.StatusCode);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            headers.GrpcMessage = StatusMessageEncoding.Encode(status.Detail);
        }
        AppendMetadata(headers, trailers);
    }

    /// <summary>An outcome before any message: the status travels in the only HEADERS frame, which ends the stream.</summary>
    public static void WriteTrailersOnly(HttpResponse response, Status status, Metadata? trailers)
    {
        var headers = response.Headers;
        headers.GrpcStatus = ToWire(status.StatusCode);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            headers.GrpcMessage = StatusMessageEncoding.Encode(status.Detail);
        }
        AppendMetadata(headers, trailers);
    }

    public static string ToWire(StatusCode code)
    {
        var value = (int)code;
        return (uint)value < (uint)StatusCodeStrings.Length ? StatusCodeStrings[value] : value.ToString(CultureInfo.InvariantCulture);
    }

    private static void AppendMetadata(IHeaderDictionary headers, Metadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        foreach (var entry in metadata)
        {
            headers.Append(entry.Key, Metadata.ToWireValue(entry));
        }
    }

    private static string[] BuildStatusCodeStrings()
    {
        var strings = new string[(int)StatusCode.Unauthenticated + 1];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = i.ToString(CultureInfo.InvariantCulture);
        }
        return strings;
    }
}
