using Cascade.Grpc.Framing;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Cascade.Grpc.Server;

/// <summary>Writes response messages straight into Kestrel's response pipe.</summary>
internal sealed class HttpStreamWriter<T>(HttpContext httpContext, ServerCallContext callContext, int maxMessageSize) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (callContext.CancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The call was cancelled or its deadline passed.", callContext.CancellationToken);
        }
        // Concurrent writes would interleave frames: serialize them.
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            callContext.ApplyResponseHeaders();
            MessageFraming.WriteMessage(httpContext.Response.BodyWriter, message, maxMessageSize);
            // No token on FlushAsync: Kestrel resets the stream with INTERNAL_ERROR when a flush token fires.
            var flush = await httpContext.Response.BodyWriter.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (flush.IsCompleted)
            {
                throw new ClientDisconnectedException();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
