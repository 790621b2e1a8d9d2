using Grpc.Core;
using Grpc.Health.V1;

namespace Cascade.Hosting.Health;

/// <summary>
/// The standard gRPC health checking service (<c>grpc.health.v1.Health</c>: Check and Watch) over
/// <see cref="HealthStatusRegistry"/>. Not Grpc.HealthCheck's <c>HealthServiceImpl</c>: that one keeps Watch
/// streams open through a shutdown (they end only when the client cancels), which stalls a graceful stop and
/// never tells a watcher to move to another server.
/// </summary>
public sealed class HealthGrpcService(HealthStatusRegistry registry) : global::Grpc.Health.V1.Health.HealthBase
{
    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        var status = registry.GetStatus(request.Service)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Unknown service '{request.Service}': no service of that name reports its health here."));
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    /// <summary>Streams the current status and every change until the client leaves or the server shuts down.</summary>
    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        using var subscription = registry.Watch(request.Service);
        await foreach (var status in subscription.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
        }
        // The registry ends watches only at shutdown; UNAVAILABLE tells the client to watch another server.
        throw new RpcException(new Status(StatusCode.Unavailable, "The server is shutting down."));
    }
}
