using Cascade.EventLog.Handlers;
using Cascade.Hosting.Grpc;
using Cascade.Hosting;
using Cascade.Ml.Native;
using Cascade.Ml.Signing;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Domain;
using Cascade.Training.Grpc;
using Cascade.Training.Messaging;
using Cascade.Training.Options;
using Cascade.Training.Policies;
using Cascade.Training.Scoring;
using Cascade.Training.Storage;
using Cascade.Training.Triggers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Cascade.Training;

/// <summary>
/// Composition of Training. The scheduler part (policies, triggers, the job dispatcher, job status, the gRPC API)
/// needs an IEventLog; the worker part (one receive endpoint per queue this process can serve: <c>train-cpu</c>, and
/// <c>train-gpu</c> only where XGBoost has CUDA) needs an IOfflineStore, an IArtifactStore and an
/// <see cref="IRegistryGateway"/>, and a key to sign artifacts with (<see cref="ModelSigningOptions"/>, section
/// <c>Cascade:Signing</c>: a worker without one does not start while signatures are required). Jobs travel through
/// MassTransit, in memory or over RabbitMQ.
/// </summary>
public static class TrainingModule
{
    public static IServiceCollection AddCascadeTraining(this IServiceCollection services, Action<TrainingServiceOptions> configure, Action<ModelSigningOptions>? signing = null)
    {
        var options = services.AddValidatedOptions(TrainingServiceOptions.SectionName, configure);
        var queues = new JobQueues(options.RabbitMq);
        services.AddSingleton(queues);
        services.TryAddSingleton(TimeProvider.System);
        if (options.Scheduler)
        {
            services.AddSingleton(_ => new TrainingStore(options.DatabasePath));
            services.AddSingleton<JobOutbox>();
            services.AddHostedService(sp => sp.GetRequiredService<JobOutbox>());
            services.AddSingleton<JobDispatcher>();
            services.AddSingleton<TrainingTriggers>();
            services.AddSingleton<BatchScoringJobs>();
            services.AddEventHandler<TrainingTriggers>();
            services.AddEventHandler<DriftTriggers>();
            // What a policy's monitoring block is checked against: the datasets' columns.
            services.AddSingleton<DatasetSchemas>();
            services.AddEventHandler<DatasetSchemaFollower>();
            services.AddHostedService<ScheduleTriggers>();
            services.AddGrpcService<TrainingGrpcService>();
        }
        var capabilities = WorkerCapabilities.Detect(options);
        if (capabilities.Queues.Count > 0)
        {
            if (options.Scheduler) services.TryAddSingleton<IJobCancellation, StoredJobCancellation>();
            else if (!services.Any(d => d.ServiceType == typeof(IJobCancellation)))
            {
                throw new InvalidOperationException("A worker-only Training process needs to ask the Training service about cancelled jobs: register an IJobCancellation (its Program.cs uses Cascade:Services:training).");
            }
            // Bound only where artifacts are built: the scheduler alone signs nothing and needs no key.
            SigningKey? signingKey = null;
            ArtifactTrust? scoringTrust = null;
            services.AddValidatedOptions(ModelSigningOptions.SectionName, signing, o =>
            {
                (signingKey, var errors) = ModelSigningSetup.Signer(o);
                (scoringTrust, var trustErrors) = ScoringTrust.For(o, signingKey);
                return [.. errors, .. trustErrors];
            });
            services.AddSingleton(sp => new TrainingWorker(sp.GetRequiredService<IOfflineStore>(), sp.GetRequiredService<IArtifactStore>(), sp.GetRequiredService<IRegistryGateway>(),
                sp.GetRequiredService<IJobCancellation>(), options, signingKey, sp.GetService<ILogger<TrainingWorker>>()));
            services.AddSingleton(sp => new BatchScoringWorker(sp.GetRequiredService<IOfflineStore>(), sp.GetRequiredService<IArtifactStore>(),
                sp.GetRequiredService<IJobCancellation>(), scoringTrust!, options, sp.GetService<ILogger<BatchScoringWorker>>()));
            services.AddSingleton(capabilities);
            services.AddHostedService<WorkerCapabilitiesReport>();
            services.AddHostedService<TrainingWarmUp>();
        }
        services.AddMassTransit(bus =>
        {
            // MassTransit 8.3+ reports usage to usage-tracking.masstransit.io by default: a platform must not phone
            // home from its users' clusters (and on a network without egress it logged a warning at every start).
            bus.DisableUsageTelemetry();
            if (capabilities.Queues.Count > 0) bus.AddConsumer<TrainModelConsumer>();
            if (options.Scheduler) bus.AddConsumer<JobStatusConsumer>();
            void Endpoints(IBusRegistrationContext context, IReceiveConfigurator transport)
            {
                foreach (var queue in capabilities.Queues)
                {
                    transport.ReceiveEndpoint(queues.Physical(queue), endpoint =>
                    {
                        // One job at a time per queue and process: training already uses the cores.
                        endpoint.ConcurrentMessageLimit = 1;
                        // Commands are sent to this queue by name; binding the message type's exchange as well would let a
                        // publish from any deployment on the broker reach it, past the namespace.
                        endpoint.ConfigureConsumeTopology = false;
                        endpoint.UseMessageRetry(retry => retry.Exponential(options.MaxAttempts - 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
                        endpoint.ConfigureConsumer<TrainModelConsumer>(context);
                    });
                }
                if (options.Scheduler)
                {
                    transport.ReceiveEndpoint(queues.Physical(JobQueues.Status), endpoint =>
                    {
                        endpoint.ConfigureConsumeTopology = false;
                        endpoint.ConfigureConsumer<JobStatusConsumer>(context);
                    });
                }
            }
            if (options.Transport == JobTransport.RabbitMq)
            {
                bus.UsingRabbitMq((context, transport) =>
                {
                    var rabbit = options.RabbitMq;
                    transport.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, host =>
                    {
                        host.Username(rabbit.Username);
                        host.Password(rabbit.Password);
                        if (rabbit.Ssl)
                        {
                            host.UseSsl(ssl =>
                            {
                                ssl.ServerName = rabbit.Host;
                                ssl.CertificateValidationCallback = Cascade.Hosting.Tls.RabbitMqTls.ServerCertificateValidation(rabbit);
                                ssl.Certificate = Cascade.Hosting.Tls.RabbitMqTls.ClientCertificate(rabbit);
                            });
                        }
                    });
                    Endpoints(context, transport);
                });
            }
            else
            {
                bus.UsingInMemory((context, transport) => Endpoints(context, transport));
            }
        });
        return services;
    }
}
