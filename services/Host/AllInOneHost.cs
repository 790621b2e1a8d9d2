using Cascade.WebConsole;
using Cascade.Features;
using Cascade.Features.Grpc;
using Cascade.Ingestion;
using Cascade.Ingestion.Grpc;
using Cascade.Ml.Signing;
using Cascade.Registry;
using Cascade.Registry.Grpc;
using Cascade.Monitoring;
using Cascade.Monitoring.Grpc;
using Cascade.Serving;
using Cascade.Serving.Grpc;
using Cascade.Training;
using Cascade.Training.Domain;
using Cascade.Training.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Cascade.Hosting;

namespace Cascade.Host;

/// <summary>Builds the all-in-one host: every service module in one process, on a gRPC and an HTTP endpoint.</summary>
public static class AllInOneHost
{
    /// <summary>Builds (does not start) the host; service settings come from the environment and <paramref name="args"/>, validated here.</summary>
    public static WebApplication Build(AllInOneHostOptions options, Action<ILoggingBuilder>? configureLogging = null, string[]? args = null)
    {
        var host = new ServiceHostOptions
        {
            BindAddress = options.BindAddress, GrpcPort = options.GrpcPort, HttpPort = options.HttpPort, DataDirectory = options.DataDirectory, Infrastructure = options.Infrastructure,
        };
        string[] served = [Contracts.Ingestion.V1.Ingestion.Descriptor.FullName, Contracts.Features.V1.Features.Descriptor.FullName, Contracts.Registry.V1.Registry.Descriptor.FullName, Contracts.Training.V1.Training.Descriptor.FullName, Contracts.Serving.V1.Serving.Descriptor.FullName, Inference.GRPCInferenceService.Descriptor.FullName, Contracts.Monitoring.V1.Monitoring.Descriptor.FullName, Contracts.Pipeline.V1.Pipeline.Descriptor.FullName];
        return ServiceHost.Build(host, served, (services, data) =>
        {
            services.AddSingleton(options);
            // One key for the process: its worker signs with it and its Serving trusts it. Checked here, before the
            // modules, so a bad key is reported as such rather than as Serving having nothing to trust.
            var signing = services.AddValidatedOptions<ModelSigningOptions>(ModelSigningOptions.SectionName, o => HostSigningKey.Apply(o, data), o =>
            {
                var (key, errors) = ModelSigningSetup.Signer(o);
                key?.Dispose();
                return errors;
            });
            void SameSigning(ModelSigningOptions o)
            {
                o.PrivateKeyFile = signing.PrivateKeyFile;
                o.TrustedKeys = signing.TrustedKeys;
            }
            services.AddCascadeIngestion(o => o.DatabasePath = Path.Combine(data, "ingestion.db"));
            services.AddCascadeFeatures(data);
            services.AddCascadeRegistry(data);
            services.AddSingleton<IRegistryGateway, InProcessRegistryGateway>();
            services.AddCascadeServing(Path.Combine(data, "serving"), SameSigning);
            services.AddCascadeTraining(o =>
            {
                o.DatabasePath = Path.Combine(data, "training.db");
                o.WorkDirectory = Path.Combine(data, "work");
                o.CodeVersion = GitCommit.Find(Environment.GetEnvironmentVariable("CASCADE_REPO_ROOT") ?? AppContext.BaseDirectory);
                o.Transport = options.Infrastructure.Jobs;
                o.RabbitMq = options.Infrastructure.RabbitMq;
            }, SameSigning);
            services.AddCascadeMonitoring(o => o.DatabasePath = Path.Combine(data, "monitoring.db"));
            // The web console at the root of the HTTP port; its pipeline figures are read from this process's own /metrics
            // totals (in-process, on a timer), so nothing listens to single predictions beside OpenTelemetry.
            services.AddCascadeConsole();
        }, configureLogging, args);
    }

    /// <summary>The addresses the started host actually listens on (ports may be ephemeral when 0 was asked).</summary>
    public static (string Grpc, string Http) GetAddresses(WebApplication app, AllInOneHostOptions options) => ServiceHost.GetAddresses(app, options.BindAddress);
}
