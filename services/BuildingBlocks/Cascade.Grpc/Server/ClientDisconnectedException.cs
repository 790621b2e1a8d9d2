namespace Cascade.Grpc.Server;

/// <summary>
/// The response pipe reports the client gone (a reset or disconnect) before Kestrel's RequestAborted fires;
/// a distinct type lets the dispatcher classify it as a cancellation, not a handler failure.
/// </summary>
public sealed class ClientDisconnectedException() : OperationCanceledException("The client cancelled the call or disconnected.");
