using Grpc.Core;

namespace Cascade.Serving.Grpc;

/// <summary>Maps the predictor's errors to gRPC statuses, keeping their messages (they say what to fix).</summary>
internal static class ServingErrors
{
    public static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ToStatus(ex) is { } status)
        {
            throw status;
        }
    }

    /// <summary>The status a predictor error is answered with; null for anything else (an internal error).</summary>
    public static RpcException? ToStatus(Exception exception) => exception switch
    {
        KeyNotFoundException => new RpcException(new Status(StatusCode.NotFound, exception.Message)),
        // Retryable: the online store's server is down or restarting (a client with a retry policy tries again).
        Cascade.Storage.OnlineStore.OnlineStoreUnavailableException => new RpcException(new Status(StatusCode.Unavailable, exception.Message)),
        ArgumentException => new RpcException(new Status(StatusCode.InvalidArgument, exception.Message)),
        InvalidOperationException => new RpcException(new Status(StatusCode.FailedPrecondition, exception.Message)),
        _ => null,
    };
}
