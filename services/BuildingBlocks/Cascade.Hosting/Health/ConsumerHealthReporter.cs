using Cascade.EventLog.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cascade.Hosting.Health;

/// <summary>
/// The whole server ("") is NOT_SERVING while any event handler of the process is stuck retrying, and SERVING again
/// once they all recover: a consumer that stopped making progress shows on readiness, not only in its logs.
/// </summary>
internal sealed class ConsumerHealthReporter(IConsumerHealth consumers, HealthStatusRegistry registry) : IHostedService
{
    private readonly Lock _gate = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        consumers.Changed += OnChanged;
        Update();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        consumers.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(object? sender, ConsumerStatus status) => Update();

    private void Update()
    {
        // Read and set under one lock: two groups changing at once must not leave a stale status behind.
        lock (_gate)
        {
            registry.SetStatus(string.Empty, consumers.AnyStuck ? ServingStatus.NotServing : ServingStatus.Serving);
        }
    }

    /// <summary>Registers the event-handler host's health and this reporter.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddEventHandlerHost();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ConsumerHealthReporter>());
    }
}
