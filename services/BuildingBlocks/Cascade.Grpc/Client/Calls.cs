using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Cascade.Grpc.Client;

/// <summary>A unary call in flight: await it for the response, or read its headers, status and trailers.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly IClientCallOutcome _call;

    internal AsyncUnaryCall(Task<TResponse> response, Task<Metadata> headers, IClientCallOutcome call)
    {
        ResponseAsync = response;
        ResponseHeadersAsync = headers;
        _call = call;
    }

    /// <summary>The response; faults with <see cref="RpcException"/> on a non-OK status.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>The response headers (empty for a trailers-only response).</summary>
    public Task<Metadata> ResponseHeadersAsync { get; }

    /// <summary>The final status, once the call has ended.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailing metadata, once the call has ended.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>Ends the call; if it is still running, the server sees a cancellation.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>A server-streaming call: read the responses with <see cref="ReadAllAsync"/>.</summary>
public sealed class ServerStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly ClientCall<TRequest, TResponse> _call;

    internal ServerStreamingCall(ClientCall<TRequest, TResponse> call) => _call = call;

    /// <summary>The response headers.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>Yields every response; throws <see cref="RpcException"/> if the call ends with a non-OK status. Cancelling the token cancels the call.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _call.ReadNextAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    /// <summary>The final status, once the stream has ended.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailing metadata, once the stream has ended.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Ends the call; if it is still running, the server sees a cancellation.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>A client-streaming call: write requests, complete, then await the response.</summary>
public sealed class ClientStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly ClientCall<TRequest, TResponse> _call;
    private readonly Lazy<Task<TResponse>> _response;

    internal ClientStreamingCall(ClientCall<TRequest, TResponse> call)
    {
        _call = call;
        _response = new Lazy<Task<TResponse>>(call.ReadSingleAsync);
    }

    /// <summary>Where the requests go.</summary>
    public IClientStreamWriter<TRequest> RequestStream => _call.RequestStream;

    /// <summary>The single response; the server may answer before the request stream completes.</summary>
    public Task<TResponse> ResponseAsync => _response.Value;

    /// <summary>The response headers.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>The final status, once the call has ended.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailing metadata, once the call has ended.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}

/// <summary>A bidirectional-streaming call: write requests and read responses concurrently.</summary>
public sealed class DuplexStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly ClientCall<TRequest, TResponse> _call;

    internal DuplexStreamingCall(ClientCall<TRequest, TResponse> call) => _call = call;

    /// <summary>Where the requests go.</summary>
    public IClientStreamWriter<TRequest> RequestStream => _call.RequestStream;

    /// <summary>The response headers.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>Yields every response; throws <see cref="RpcException"/> if the call ends with a non-OK status. Cancelling the token cancels the call.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _call.ReadNextAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    /// <summary>The final status, once the call has ended.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailing metadata, once the call has ended.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}
