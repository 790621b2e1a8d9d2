using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Cascade.Grpc.Tests;

/// <summary>Hand-made HTTP/2 requests, for what our own client would never send (bad encodings, raw timeouts, wrong content types).</summary>
internal static class RawGrpc
{
    public static HttpRequestMessage Request(string address, string path, byte[] body, string contentType = "application/grpc")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, address + path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    public static byte[] Frame(IMessage message)
    {
        var bytes = message.ToByteArray();
        var frame = new byte[5 + bytes.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)bytes.Length);
        bytes.CopyTo(frame, 5);
        return frame;
    }

    public static HttpMessageInvoker CreateInvoker() => new(new SocketsHttpHandler());

    /// <summary>The grpc-status of a response, from its trailers or (trailers-only) its headers.</summary>
    public static string? StatusOf(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single()
        : response.Headers.TryGetValues("grpc-status", out var header) ? header.Single()
        : null;
}
