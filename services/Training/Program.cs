using Cascade.Hosting;
using Cascade.Hosting.Security;
using Cascade.Hosting.Tls;
using Cascade.Training.Domain;
using Cascade.Training.Grpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cascade.Training;

/// <summary>
/// The Training service as its own process, configured by the <c>Cascade:Training</c> section
/// (<see cref="Options.TrainingServiceOptions"/>): <c>Scheduler</c> (default true) runs policies, triggers,
/// job status and the gRPC API; <c>CpuWorker</c> / <c>GpuWorker</c> make it a worker of those pools
/// (a worker-only process sets Scheduler=false). Jobs travel as the infrastructure says (RabbitMQ when distributed);
/// workers register versions through the Registry's gRPC API (<c>Cascade:Services:registry</c>).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var training = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build().GetSection("Cascade:Training");
        string[] served = training.GetValue("Scheduler", true) ? [Contracts.Training.V1.Training.Descriptor.FullName] : [];
        return await ServiceHost.RunAsync(args, served, (services, data, options) =>
        {
            var registry = options.Services.TryGetValue("registry", out var address) ? address : "http://127.0.0.1:50054";
            services.AddGrpcClient<Contracts.Registry.V1.Registry.RegistryClient>(o => o.Address = new Uri(registry)).AddCascadeServiceCredentials().UseCascadeTls(options.Tls);
            services.AddSingleton<IRegistryGateway, GrpcRegistryGateway>();
            if (!training.GetValue("Scheduler", true))
            {
                // A worker-only process asks the Training service whether the jobs it holds were cancelled.
                var scheduler = options.Services.TryGetValue("training", out var at) ? at : "http://127.0.0.1:50055";
                services.AddGrpcClient<Contracts.Training.V1.Training.TrainingClient>(o => o.Address = new Uri(scheduler)).AddCascadeServiceCredentials().UseCascadeTls(options.Tls);
                services.AddSingleton<IJobCancellation, GrpcJobCancellation>();
            }
            services.AddCascadeTraining(o =>
            {
                training.Bind(o);
                // Where it keeps its state and how jobs travel follow the process's data directory and infrastructure.
                o.DatabasePath = Path.Combine(data, "training.db");
                o.WorkDirectory = Path.Combine(data, "work");
                // Lineage records the code a worker ran: the repository's commit when it runs from a checkout (a container
                // sets Cascade__Training__CodeVersion from its image instead).
                if (o.CodeVersion == "unknown") o.CodeVersion = GitCommit.Find(Environment.GetEnvironmentVariable("CASCADE_REPO_ROOT") ?? AppContext.BaseDirectory);
                o.Transport = options.Infrastructure.Jobs;
                o.RabbitMq = options.Infrastructure.RabbitMq;
            });
        });
    }
}
