using Grpc.Core;

namespace Cascade.Hosting.Grpc;

/// <summary>
/// A request stream whose broken framing fails the call with INTERNAL, as the gRPC specification says for a malformed
/// message. Grpc.AspNetCore reads a streaming call's messages inside the handler, so a frame header it cannot read (a
/// compressed-flag byte that is neither 0 nor 1, which is what a lying length leaves where the next header should be)
/// surfaces there as <see cref="InvalidDataException"/>: UNKNOWN ("Exception was thrown by handler.") and an error in
/// the log, as if the handler had failed (found by the live fuzz campaign on the reflection stream, docs/security.md).
/// A unary call's single message is read before any handler runs, and Grpc.AspNetCore answers INTERNAL there itself.
/// </summary>
internal sealed class FramingCheckedReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
{
    public T Current => inner.Current;

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        Task<bool> next;
        try
        {
            next = inner.MoveNext(cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            return Task.FromException<bool>(Malformed(ex));
        }
        // Messages already buffered complete synchronously: no state machine on the streaming hot path (Ingest).
        return next.IsCompletedSuccessfully ? next : Checked(next);
    }

    private static async Task<bool> Checked(Task<bool> next)
    {
        try
        {
            return await next;
        }
        catch (InvalidDataException ex)
        {
            throw Malformed(ex);
        }
    }

    private static RpcException Malformed(InvalidDataException ex) =>
        new(new Status(StatusCode.Internal, $"The request stream is not framed as gRPC requires (a 5-byte header, flag 0 or 1, then that many bytes): {ex.Message}"));
}
