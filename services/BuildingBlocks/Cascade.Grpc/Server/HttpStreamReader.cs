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
            var message = await MessageFraming.ReadMessageAsync(reader, parser, maxSize, call.RequestEncoding, token).ConfigureAwait(false);
            if (message is null)
            {
                yield break;
            }
            yield return message;
        }
    }
}
