using Cascade.Grpc.Framing;
using Google.Protobuf;

namespace Cascade.Grpc.Server;

/// <summary>Runs one bound method: reads requests, calls the handler, writes responses.</summary>
internal abstract class ServerMethodInvoker(string fullName, MethodType type)
{
    public string FullName { get; } = fullName;

    public MethodType Type { get; } = type;

    /// <summary>Whether the client sends a stream (slow bodies must not trip Kestrel's minimum data rate).</summary>
    public bool HasRequestStream => Type is MethodType.ClientStreaming or MethodType.DuplexStreaming;

    public abstract Task InvokeAsync(CallState call);

    protected static async Task<TRequest> ReadSingleRequestAsync<TRequest>(CallState call, MessageParser<TRequest> parser)
        where TRequest : class, IMessage<TRequest>
    {
        var reader = call.HttpContext.Request.BodyReader;
        var token = call.Context.CancellationToken;
        var request = await MessageFraming.ReadMessageAsync(reader, parser, call.Options.MaxReceiveMessageSize, call.RequestEncoding, token).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, "The request stream ended without a request message.");
        if (await MessageFraming.ReadMessageAsync(reader, parser, call.Options.MaxReceiveMessageSize, call.RequestEncoding, token).ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.Internal, "A unary or server-streaming call received more than one request message.");
        }
        return request;
    }

    protected static void WriteSingleResponse(CallState call, IMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        call.Context.ApplyResponseHeaders();
        // Unary: no flush here, so the message and the trailers leave together.
        MessageFraming.WriteMessage(call.HttpContext.Response.BodyWriter, response, call.Options.MaxSendMessageSize);
        call.ResponseWritten = true;
    }

    protected static IServerStreamWriter<TResponse> CreateWriter<TResponse>(CallState call) where TResponse : class, IMessage<TResponse> =>
        new TrackingWriter<TResponse>(call, new HttpStreamWriter<TResponse>(call.HttpContext, call.Context, call.Options.MaxSendMessageSize));

    protected static IAsyncStreamReader<TRequest> CreateReader<TRequest>(CallState call, MessageParser<TRequest> parser) where TRequest : class, IMessage<TRequest> =>
        new HttpStreamReader<TRequest>(call.HttpContext, parser, call.Options.MaxReceiveMessageSize, call.RequestEncoding, call.Context.CancellationToken);

    private sealed class TrackingWriter<T>(CallState call, IServerStreamWriter<T> inner) : IServerStreamWriter<T>
    {
        public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
        {
            call.ResponseWritten = true;
            await inner.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }
}

internal sealed class UnaryInvoker<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
    : ServerMethodInvoker(method.FullName, MethodType.Unary)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(CallState call)
    {
        var request = await ReadSingleRequestAsync(call, method.RequestParser).ConfigureAwait(false);
        var response = await handler(request, call.Context).ConfigureAwait(false);
        WriteSingleResponse(call, response);
    }
}

internal sealed class ServerStreamingInvoker<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethodInvoker(method.FullName, MethodType.ServerStreaming)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(CallState call)
    {
        var request = await ReadSingleRequestAsync(call, method.RequestParser).ConfigureAwait(false);
        await handler(request, CreateWriter<TResponse>(call), call.Context).ConfigureAwait(false);
    }
}

internal sealed class ClientStreamingInvoker<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethodInvoker(method.FullName, MethodType.ClientStreaming)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(CallState call)
    {
        var response = await handler(CreateReader(call, method.RequestParser), call.Context).ConfigureAwait(false);
        WriteSingleResponse(call, response);
    }
}

internal sealed class DuplexStreamingInvoker<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethodInvoker(method.FullName, MethodType.DuplexStreaming)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override Task InvokeAsync(CallState call) =>
        handler(CreateReader(call, method.RequestParser), CreateWriter<TResponse>(call), call.Context);
}
