using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Cascade.Hosting.Grpc;

/// <summary>
/// Ends a call the client has given up on as CANCELLED, quietly. A handler that awaits work with the call's token
/// throws <see cref="OperationCanceledException"/> when the client resets the stream or closes the connection;
/// Grpc.AspNetCore's JSON transcoding logs any exception other than <see cref="RpcException"/> at Error ("Error when
/// executing service method"), so every impatient REST client filled the error log (found by the live fuzz campaign).
/// And a unary handler that finishes after its client left would hand Grpc.AspNetCore a response to serialise into a
/// reset stream, which fails inside Google.Protobuf's buffer writer and is logged at Error too: such a call ends
/// CANCELLED instead of writing.
/// An <see cref="OperationCanceledException"/> while the client is still there is a fault of ours and passes unchanged.
/// </summary>
public sealed class ClientCancellation : Interceptor
{
    /// <summary>The status a call ends with when its client is gone (the client never reads it).</summary>
    public static readonly Status Gone = new(StatusCode.Cancelled, "The client cancelled the call or went away before it completed.");

    /// <summary>The status a call ends with when its deadline passed (Grpc.AspNetCore has already sent it, and keeps it).</summary>
    public static readonly Status Expired = new(StatusCode.DeadlineExceeded, "The call's deadline passed before it completed.");

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Task<TResponse> handled;
        try
        {
            handled = continuation(request, context);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return Task.FromException<TResponse>(Ended(context));
        }
        // Most unary calls (a Predict with its features inline) complete synchronously: no state machine for them.
        if (handled.IsCompletedSuccessfully)
        {
            return context.CancellationToken.IsCancellationRequested ? Task.FromException<TResponse>(Ended(context)) : handled;
        }
        return Awaited(handled, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await Awaited(continuation(requestStream, context), context);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw Ended(context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, new EndedCallWriter<TResponse>(responseStream, context), context);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw Ended(context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, new EndedCallWriter<TResponse>(responseStream, context), context);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw Ended(context);
        }
    }

    /// <summary>
    /// A server stream's writer that ends the call as <see cref="Ended"/> says instead of writing into a response the
    /// framework has already completed. When the deadline passes, Grpc.AspNetCore sends DEADLINE_EXCEEDED and completes
    /// the response at once; a handler still writing chunks (DownloadArtifact) then failed inside Kestrel with
    /// <see cref="InvalidOperationException"/> ("Writing is not allowed after writer was completed"), logged at Error
    /// (found by the live fuzz campaign, run 10). A write while the call is alive is passed through unchanged.
    /// </summary>
    private sealed class EndedCallWriter<T>(IServerStreamWriter<T> inner, ServerCallContext context) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            if (context.CancellationToken.IsCancellationRequested) throw Ended(context);
            try
            {
                await inner.WriteAsync(message, cancellationToken);
            }
            catch (InvalidOperationException) when (context.CancellationToken.IsCancellationRequested)
            {
                throw Ended(context);
            }
        }
    }

    private static RpcException Ended(ServerCallContext context) =>
        new(context.Deadline <= DateTime.UtcNow ? Expired : Gone);

    private static async Task<TResponse> Awaited<TResponse>(Task<TResponse> handled, ServerCallContext context)
    {
        TResponse response;
        try
        {
            response = await handled;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw Ended(context);
        }
        return context.CancellationToken.IsCancellationRequested ? throw Ended(context) : response;
    }
}
