using Cascade.EventLog.Handlers;
using Cascade.Hosting;
using Cascade.Hosting.Grpc;
using Cascade.Serving.Domain;
using Cascade.Serving.Grpc;
using Cascade.Serving.Rest;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OnlineStore;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Serving;

/// <summary>Composition of Serving (needs an IEventLog, an IArtifactStore and an IOnlineStore).</summary>
public static class ServingModule
{
    public static IServiceCollection AddCascadeServing(this IServiceCollection services, string workDirectory)
    {
        services.AddSingleton(sp => new ModelCatalog(sp.GetRequiredService<IArtifactStore>(), workDirectory));
        services.AddSingleton(_ => new TrafficPolicies(Path.Combine(workDirectory, "traffic.json")));
        services.AddSingleton<PredictionLog>();
        services.AddHostedService(sp => sp.GetRequiredService<PredictionLog>());
        services.AddSingleton<Predictor>();
        services.AddSingleton<OpenInference>();
        services.AddEventHandler<PromotionFollower>();
        services.AddGrpcService<ServingGrpcService>();
        services.AddGrpcService<InferenceGrpcService>();
        services.AddHttpEndpoints("inference-v2-rest", endpoints => endpoints.MapOpenInferenceRest());
        return services;
    }
}
