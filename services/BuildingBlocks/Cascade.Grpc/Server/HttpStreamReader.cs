using System.Runtime.CompilerServices;
using Cascade.Grpc.Framing;
using Google.Protobuf;

namespace Cascade.Grpc.Server;

/// <summary>Reads request messages from Kestrel's request pipe, enforcing the per-message size limit.</summary>
internal sealed class HttpStreamReader<T>(ServerCallContext call, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private int _started;

    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The request stream can be read only once.");
        }
        var callToken = call.CancellationToken;
        // Handlers usually pass the call's own token: linking it to itself would only cost an allocation.
        using var linked = cancellationToken.CanBeCanceled && cancellationToken != callToken
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken)
            : null;
        var token = linked?.Token ?? callToken;
        var reader = call.HttpContext.Request.BodyReader;
        var maxSize = call.Options.MaxReceiveMessageSize;
        while (true)
        {
            var message = await ReadNextAsync(reader, maxSize, token, callToken).ConfigureAwait(false);
            if (message is null)
            {
                yield break;
            }
            yield return message;
        }
    }

    /// <summary>How long a failed read waits for Kestrel to report the client's reset on the call's token.</summary>
    private static readonly TimeSpan ResetGrace = TimeSpan.FromSeconds(1);

    private async Task<T?> ReadNextAsync(System.IO.Pipelines.PipeReader reader, int maxSize, CancellationToken token, CancellationToken callToken)
    {
        try
        {
            return await MessageFraming.ReadMessageAsync(reader, parser, maxSize, call.RequestEncoding, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException && !callToken.IsCancellationRequested)
        {
            // A client reset fails the body read at once, while Kestrel raises RequestAborted a moment later on
            // another thread. Without this wait the handler could end on the read's exception before its token
            // fires, and whatever it registered on the token (releasing resources, stopping work) would never run.
            try
            {
                await Task.Delay(ResetGrace, callToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            throw;
        }
    }
}
