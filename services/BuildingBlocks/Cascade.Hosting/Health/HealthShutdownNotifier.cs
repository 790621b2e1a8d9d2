using Microsoft.Extensions.Hosting;

namespace Cascade.Hosting.Health;

/// <summary>
/// Puts the health registry in its shutdown state as soon as the host starts stopping, before Kestrel waits for
/// open calls: watchers learn NOT_SERVING and their streams end instead of stalling the shutdown.
/// </summary>
internal sealed class HealthShutdownNotifier(HealthStatusRegistry registry, IHostApplicationLifetime lifetime) : IHostedService
{
    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(registry.EnterShutdown);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Also covers hosts stopped without ApplicationStopping (e.g. StopAsync on a test host).
        registry.EnterShutdown();
        _registration.Dispose();
        return Task.CompletedTask;
    }
}
