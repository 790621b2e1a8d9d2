using Microsoft.Extensions.Logging;

namespace Cascade.Grpc.Server;

/// <summary>Source-generated log messages of the gRPC server.</summary>
internal static partial class GrpcDispatcherLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "gRPC handler for {Method} failed")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "gRPC call {Method} ended by the client ({Reason})")]
    public static partial void ClientEnded(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "gRPC call {Method} exceeded its deadline")]
    public static partial void DeadlineExceeded(ILogger logger, string method);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "gRPC call {Method}: sending DEADLINE_EXCEEDED failed")]
    public static partial void DeadlineResponseFailed(ILogger logger, string method, Exception exception);
}
