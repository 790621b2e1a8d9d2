using Cascade.Grpc.Framing;
using Google.Protobuf;

namespace Cascade.Grpc.Server;

/// <summary>Runs one bound method: reads requests, calls the handler, writes responses.</summary>
internal abstract class ServerMethodInvoker(string fullName, MethodType type)
{
    public string FullName { get; } = fullName;

    /// <summary><c>package.Service</c> of <see cref="FullName"/> (<c>/package.Service/Method</c>), split once, for the call metrics.</summary>
    public string ServiceName { get; } = fullName[1..fullName.LastIndexOf('/')];

    /// <summary><c>Method</c> of <see cref="FullName"/>.</summary>
    public string MethodName { get; } = fullName[(fullName.LastIndexOf('/') + 1)..];

    public MethodType Type { get; } = type;

    /// <summary>Whether the client sends a stream (slow bodies must not trip Kestrel's minimum data rate).</summary>
    public bool HasRequestStream => Type is MethodType.ClientStreaming or MethodType.DuplexStreaming;

    public abstract Task InvokeAsync(ServerCallContext call);

    protected static async ValueTask<TRequest> ReadSingleRequestAsync<TRequest>(ServerCallContext call, MessageParser<TRequest> parser)
        where TRequest : class, IMessage<TRequest>
    {
        var reader = call.HttpContext.Request.BodyReader;
        var token = call.CancellationToken;
        var maxSize = call.Options.MaxReceiveMessageSize;
        var request = await MessageFraming.ReadMessageAsync(reader, parser, maxSize, call.RequestEncoding, token).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, "The request stream ended without a request message.");
        if (await MessageFraming.ReadMessageAsync(reader, parser, maxSize, call.RequestEncoding, token).ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.Internal, "A unary or server-streaming call received more than one request message.");
        }
        return request;
    }

    protected static void WriteSingleResponse(ServerCallContext call, IMessage? response)
    {
        if (response is null)
        {
            throw new InvalidOperationException($"The handler of {call.Method} returned no response message.");
        }
        if (!call.TryCompleteByHandler())
        {
            // The deadline has answered the call while the handler ran: its result comes too late.
            return;
        }
        if (call.DeadlineExpired)
        {
            throw new RpcException(GrpcStatusWriter.DeadlineExceeded);
        }
        call.ApplyResponseHeaders();
        // No flush here, so the message and the trailers leave together.
        MessageFraming.WriteMessage(call.HttpContext.Response.BodyWriter, response, call.Options.MaxSendMessageSize);
        call.ResponseWritten = true;
    }

    protected static IServerStreamWriter<TResponse> CreateWriter<TResponse>(ServerCallContext call) where TResponse : class, IMessage<TResponse> =>
        new HttpStreamWriter<TResponse>(call);

    protected static IAsyncStreamReader<TRequest> CreateReader<TRequest>(ServerCallContext call, MessageParser<TRequest> parser) where TRequest : class, IMessage<TRequest> =>
        new HttpStreamReader<TRequest>(call, parser);
}

/// <summary>Runs a unary method: one request, one response.</summary>
internal sealed class UnaryInvoker<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
    : ServerMethodInvoker(method.FullName, MethodType.Unary)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(ServerCallContext call)
    {
        var request = await ReadSingleRequestAsync(call, method.RequestParser).ConfigureAwait(false);
        var response = await handler(request, call).ConfigureAwait(false);
        WriteSingleResponse(call, response);
    }
}

/// <summary>Runs a server-streaming method: one request, a stream of responses.</summary>
internal sealed class ServerStreamingInvoker<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethodInvoker(method.FullName, MethodType.ServerStreaming)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(ServerCallContext call)
    {
        var request = await ReadSingleRequestAsync(call, method.RequestParser).ConfigureAwait(false);
        await handler(request, CreateWriter<TResponse>(call), call).ConfigureAwait(false);
    }
}

/// <summary>Runs a client-streaming method: a stream of requests, one response.</summary>
internal sealed class ClientStreamingInvoker<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethodInvoker(method.FullName, MethodType.ClientStreaming)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(ServerCallContext call)
    {
        var response = await handler(CreateReader(call, method.RequestParser), call).ConfigureAwait(false);
        WriteSingleResponse(call, response);
    }
}

/// <summary>Runs a bidirectional-streaming method.</summary>
internal sealed class DuplexStreamingInvoker<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethodInvoker(method.FullName, MethodType.DuplexStreaming)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override Task InvokeAsync(ServerCallContext call) =>
        handler(CreateReader(call, method.RequestParser), CreateWriter<TResponse>(call), call);
}
