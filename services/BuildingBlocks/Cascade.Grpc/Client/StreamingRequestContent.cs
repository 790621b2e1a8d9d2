using System.Buffers;
using System.Net;
using Cascade.Grpc.Framing;
using Google.Protobuf;

namespace Cascade.Grpc.Client;

/// <summary>
/// Request body of a client-streaming or bidi call: the HTTP handler hands over its stream, and the
/// caller writes framed messages into it until it completes.
/// </summary>
internal sealed class StreamingRequestContent<TRequest> : HttpContent, IClientStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly int _maxMessageSize;
    private readonly Func<Exception, Task<Exception>> _onWriteFailure;
    private readonly CancellationToken _callToken;
    private int _serializations;
    private bool _completeRequested;

    public StreamingRequestContent(int maxMessageSize, CancellationToken callToken, Func<Exception, Task<Exception>> onWriteFailure)
    {
        _maxMessageSize = maxMessageSize;
        _callToken = callToken;
        _onWriteFailure = onWriteFailure;
    }

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_completeRequested)
        {
            throw new InvalidOperationException("The request stream was completed; no more messages can be written.");
        }
        // Pooled: a 40 MB upload in 1 MB messages would otherwise put 40 arrays on the large object heap.
        var (frame, length) = MessageFraming.RentFrame(message, _maxMessageSize);
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _callToken) : null;
        var token = linked?.Token ?? _callToken;
        var locked = false;
        try
        {
            await _writeLock.WaitAsync(token).ConfigureAwait(false);
            locked = true;
            var stream = await _stream.Task.WaitAsync(token).ConfigureAwait(false);
            await stream.WriteAsync(frame.AsMemory(0, length), token).ConfigureAwait(false);
            // Flushed per message: a bidi peer waits for each request before it answers.
            await stream.FlushAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            // Cancellation, deadline or a dead stream: report the call's status, not the plumbing's exception.
            throw await _onWriteFailure(ex).ConfigureAwait(false);
        }
        finally
        {
            if (locked)
            {
                _writeLock.Release();
            }
            // The stream is done with the bytes once its write completed or failed.
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    public Task CompleteAsync()
    {
        _completeRequested = true;
        _completed.TrySetResult();
        return Task.CompletedTask;
    }

    /// <summary>Ends the body when the call ends for any reason, so the handler's send loop returns.</summary>
    internal void Abandon() => _completed.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _serializations) > 1)
        {
            // A retry would replay an empty or partial stream; fail the call instead (UNAVAILABLE).
            throw new StreamingRequestRetryException();
        }
        _stream.TrySetResult(stream);
        await _completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        // Messages still being written finish before the body ends.
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        _writeLock.Release();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}

/// <summary>Writes the request messages of a client-streaming or bidi call.</summary>
public interface IClientStreamWriter<in T>
{
    /// <summary>Sends one message.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>Ends the request stream (half-close).</summary>
    Task CompleteAsync();
}
