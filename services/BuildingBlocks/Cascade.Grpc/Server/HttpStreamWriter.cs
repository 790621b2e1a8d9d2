using Cascade.Grpc.Framing;
using Google.Protobuf;

namespace Cascade.Grpc.Server;

/// <summary>Writes response messages straight into Kestrel's response pipe, one flushed frame per message.</summary>
internal sealed class HttpStreamWriter<T>(ServerCallContext call) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        call.CancellationToken.ThrowIfCancellationRequested();
        // Concurrent writes would interleave frames, and the deadline may be sending the status: take turns.
        var gate = call.ResponseGate;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            call.EnsureOpen();
            call.ApplyResponseHeaders();
            var writer = call.HttpContext.Response.BodyWriter;
            MessageFraming.WriteMessage(writer, message, call.Options.MaxSendMessageSize);
            call.ResponseWritten = true;
            // No token on FlushAsync: Kestrel resets the stream with INTERNAL_ERROR when a flush token fires.
            var flush = await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                throw new ClientDisconnectedException();
            }
        }
        finally
        {
            gate.Release();
        }
    }
}
