using Grpc.Core;

namespace Cascade.Contracts;

/// <summary>Call options Cascade's own clients use: every call has a deadline, so a hung peer fails it instead of hanging it.</summary>
public static class GrpcCalls
{
    /// <summary>Options with a deadline <paramref name="timeout"/> from now and the caller's cancellation.</summary>
    public static CallOptions Within(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        new(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
}
