using System.Runtime.CompilerServices;
using Cascade.Grpc.Framing;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Cascade.Grpc.Server;

/// <summary>Reads request messages from Kestrel's request pipe, enforcing the per-message size limit.</summary>
internal sealed class HttpStreamReader<T>(HttpContext httpContext, MessageParser<T> parser, int maxMessageSize, string? encoding, CancellationToken callToken)
    : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private int _started;

    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The request stream can be read only once.");
        }
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken)
            : null;
        var token = linked?.Token ?? callToken;
        while (true)
        {
            var message = await MessageFraming.ReadMessageAsync(httpContext.Request.BodyReader, parser, maxMessageSize, encoding, token).ConfigureAwait(false);
            if (message is null)
            {
                yield break;
            }
            yield return message;
        }
    }
}
