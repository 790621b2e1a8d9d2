namespace Cascade.Grpc.Server;

/// <summary>Writes the response messages of a server-streaming or bidi call.</summary>
public interface IServerStreamWriter<in T>
{
    /// <summary>Sends one message and flushes it to the client.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}
