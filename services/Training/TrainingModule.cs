using Cascade.Grpc.Server;
using Cascade.Ml.Native;
using Cascade.Training.Domain;
using Cascade.Training.Grpc;
using Cascade.Training.Messaging;
using Cascade.Training.Options;
using Cascade.Training.Storage;
using Cascade.Training.Triggers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cascade.Training;

/// <summary>
/// Composition of Training: policies, triggers, the job dispatcher and — in this process — workers on MassTransit's
/// in-memory transport, one receive endpoint per queue this worker can serve (a gpu queue only where XGBoost has CUDA).
/// Needs an IEventLog, an IOfflineStore, an IArtifactStore and an <see cref="IRegistryGateway"/>.
/// </summary>
public static class TrainingModule
{
    public static IServiceCollection AddCascadeTraining(this IServiceCollection services, Action<TrainingServiceOptions> configure)
    {
        var options = new TrainingServiceOptions();
        configure(options);
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(options, new(options), validateAllProperties: true);
        services.AddSingleton(options);
        services.AddSingleton(_ => new TrainingStore(options.DatabasePath));
        services.AddSingleton<TrainingWorker>();
        services.AddSingleton<JobDispatcher>();
        services.AddSingleton<TrainingTriggers>();
        services.AddHostedService(sp => sp.GetRequiredService<TrainingTriggers>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<DriftTriggers>();
        services.AddGrpcService<TrainingGrpcService>();
        var gpu = options.GpuWorker ?? XGBoostLibrary.HasCuda;
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<TrainModelConsumer>();
            bus.UsingInMemory((context, transport) =>
            {
                void Worker(string queue) => transport.ReceiveEndpoint(queue, endpoint =>
                {
                    // One job at a time per queue: training already uses the cores.
                    endpoint.ConcurrentMessageLimit = 1;
                    endpoint.UseMessageRetry(retry => retry.Exponential(options.MaxAttempts - 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
                    endpoint.ConfigureConsumer<TrainModelConsumer>(context);
                });
                if (options.CpuWorker) Worker(JobDispatcher.CpuQueue);
                if (gpu) Worker(JobDispatcher.GpuQueue);
            });
        });
        return services;
    }
}
