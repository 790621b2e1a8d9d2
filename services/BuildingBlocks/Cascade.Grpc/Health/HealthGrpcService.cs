using Cascade.Grpc.Server;
using Grpc.Health.V1;

namespace Cascade.Grpc.Health;

/// <summary>The standard gRPC health checking service (<c>grpc.health.v1.Health</c>: Check and Watch).</summary>
public sealed class HealthGrpcService(HealthStatusRegistry registry) : IGrpcService
{
    public void Bind(GrpcServiceBinder binder)
    {
        binder.Unary(HealthMethods.Check, CheckAsync);
        binder.ServerStreaming(HealthMethods.Watch, WatchAsync);
    }

    private Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        var status = registry.GetStatus(request.Service)
            ?? throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}': no service of that name reports its health here.");
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    /// <summary>Streams the current status and every change until the client leaves or the server shuts down.</summary>
    private async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        using var subscription = registry.Watch(request.Service);
        await foreach (var status in subscription.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
        }
        // The registry ends watches only at shutdown; UNAVAILABLE tells the client to watch another server.
        throw new RpcException(StatusCode.Unavailable, "The server is shutting down.");
    }
}
