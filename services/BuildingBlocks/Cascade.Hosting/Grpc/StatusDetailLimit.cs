using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Cascade.Hosting.Grpc;

/// <summary>
/// Keeps the status message of a refused call (<c>grpc-message</c>) to <see cref="MaxBytes"/> bytes of UTF-8. Messages
/// quote what the client sent, so half a megabyte of feature names came back as half a megabyte of trailers: more
/// than any client takes (Grpc.Net.Client 64 KiB of headers, gRPC C-core 8 KiB of metadata), and an HPACK failure is an
/// HTTP/2 connection error, which fails every other call on the connection with it (found by fuzzing).
/// </summary>
public sealed class StatusDetailLimit : Interceptor
{
    /// <summary>The longest status message sent, in UTF-8 bytes (at most three times that once percent-encoded).</summary>
    public const int MaxBytes = 1024;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException ex) when (Encoding.UTF8.GetByteCount(ex.Status.Detail) > MaxBytes)
        {
            throw Shortened(ex);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (RpcException ex) when (Encoding.UTF8.GetByteCount(ex.Status.Detail) > MaxBytes)
        {
            throw Shortened(ex);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (RpcException ex) when (Encoding.UTF8.GetByteCount(ex.Status.Detail) > MaxBytes)
        {
            throw Shortened(ex);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (RpcException ex) when (Encoding.UTF8.GetByteCount(ex.Status.Detail) > MaxBytes)
        {
            throw Shortened(ex);
        }
    }

    /// <summary>The same status and trailers with the message cut to <see cref="MaxBytes"/> (never inside a character).</summary>
    public static RpcException Shortened(RpcException exception) =>
        new(new Status(exception.StatusCode, Shorten(exception.Status.Detail), exception.Status.DebugException), exception.Trailers);

    public static string Shorten(string detail)
    {
        const string Cut = " … (cut)";
        var budget = MaxBytes - Encoding.UTF8.GetByteCount(Cut);
        var length = 0;
        var bytes = 0;
        while (length < detail.Length)
        {
            var next = char.IsHighSurrogate(detail[length]) && length + 1 < detail.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(detail.AsSpan(length, next));
            if (bytes + size > budget) break;
            bytes += size;
            length += next;
        }
        return detail[..length] + Cut;
    }
}
