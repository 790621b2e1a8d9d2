namespace Cascade.Grpc.Client;

/// <summary>Per-call settings: request metadata, deadline, cancellation.</summary>
/// <param name="Headers">Metadata sent with the request.</param>
/// <param name="Deadline">Absolute UTC deadline; null for none.</param>
/// <param name="CancellationToken">Cancels the call (the server sees a reset and the call ends CANCELLED).</param>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default)
{
    /// <summary>Options with a deadline this far from now.</summary>
    public static CallOptions WithTimeout(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        new(null, DateTime.UtcNow + timeout, cancellationToken);
}
