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
            ?? throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    private async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        using var subscription = registry.Watch(request.Service);
        try
        {
            await foreach (var status in subscription.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                await responses.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher left or its deadline passed: Watch ends only this way.
            throw;
        }
    }
}
