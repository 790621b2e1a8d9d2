using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Cascade.EventLog.Handlers;

/// <summary>Registers event handlers: each runs in its own <see cref="EventHandlerRunner"/> loop for the life of the host.</summary>
public static class EventHandlerServices
{
    /// <summary>
    /// Runs <typeparamref name="THandler"/> (a singleton: register it yourself first to build it another way) as a
    /// hosted loop; also registers the process's <see cref="ConsumerHealth"/> and the runner.
    /// </summary>
    public static IServiceCollection AddEventHandler<THandler>(this IServiceCollection services) where THandler : class, IEventBatchHandler
    {
        services.AddEventHandlerHost();
        services.TryAddSingleton<THandler>();
        services.AddHostedService<EventHandlerService<THandler>>();
        return services;
    }

    /// <summary>The shared pieces: <see cref="ConsumerHealth"/> (also as <see cref="IConsumerHealth"/>) and <see cref="EventHandlerRunner"/>.</summary>
    public static IServiceCollection AddEventHandlerHost(this IServiceCollection services)
    {
        services.TryAddSingleton<ConsumerHealth>();
        services.TryAddSingleton<IConsumerHealth>(sp => sp.GetRequiredService<ConsumerHealth>());
        services.TryAddSingleton<EventHandlerRunner>();
        return services;
    }
}

/// <summary>The hosted loop of one registered handler.</summary>
internal sealed class EventHandlerService<THandler>(THandler handler, EventHandlerRunner runner) : BackgroundService where THandler : class, IEventBatchHandler
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => runner.RunAsync(handler, stoppingToken);
}
