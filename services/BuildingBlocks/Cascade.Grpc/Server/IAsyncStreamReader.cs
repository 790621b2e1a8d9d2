namespace Cascade.Grpc.Server;

/// <summary>Reads the request messages of a client-streaming or bidi call.</summary>
public interface IAsyncStreamReader<out T>
{
    /// <summary>Reads all remaining messages; ends when the client completes its stream.</summary>
    IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken = default);
}
