using Cascade.EventLog.Handlers;
using Cascade.Hosting;
using Cascade.Hosting.Grpc;
using Cascade.Ml.Signing;
using Cascade.Serving.Domain;
using Cascade.Serving.Grpc;
using Cascade.Serving.Options;
using Cascade.Serving.Privacy;
using Cascade.Serving.Rest;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OnlineStore;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Serving;

/// <summary>
/// Composition of Serving (needs an IEventLog, an IArtifactStore and an IOnlineStore, and a registry client for
/// SetTrafficPolicy: Serving's Program adds a network one, the registry module an in-process one).
/// </summary>
public static class ServingModule
{
    /// <summary>
    /// Adds Serving. It loads only artifacts signed by a key it trusts (<see cref="ModelSigningOptions"/>, section
    /// <c>Cascade:Signing</c>, which <paramref name="signing"/> may complete): the trusted keys are read here, and a key
    /// that cannot be read, or none while signatures are required, stops the process before it serves anything.
    /// </summary>
    public static IServiceCollection AddCascadeServing(this IServiceCollection services, string workDirectory, Action<ModelSigningOptions>? signing = null)
    {
        ArtifactTrust? trust = null;
        services.AddValidatedOptions(ModelSigningOptions.SectionName, signing, o =>
        {
            (trust, var errors) = ModelSigningSetup.Verifier(o);
            return errors;
        });
        services.AddSingleton(trust!);
        services.AddHostedService<TrustedKeysReport>();
        var evaluation = services.AddValidatedOptions<ServingEngineOptions>(ServingEngineOptions.SectionName);
        services.AddSingleton(sp => new ModelCatalog(sp.GetRequiredService<IArtifactStore>(), workDirectory, trust!, evaluation.Engine));
        // Traffic policies come from the registry through the log (no file per replica: replicas agree, moved pods keep them).
        services.AddSingleton<TrafficPolicies>();
        services.AddEventHandler<TrafficPolicyFollower>();
        var privacy = services.AddValidatedOptions<PrivacyOptions>(PrivacyOptions.SectionName);
        services.AddSingleton(_ => new PrivacyHasher(PrivacyKey.Load(privacy, workDirectory)));
        services.AddSingleton<FeaturePrivacyCatalog>();
        services.AddEventHandler<PrivacyFollower>();
        services.AddSingleton<PredictionLog>();
        services.AddHostedService(sp => sp.GetRequiredService<PredictionLog>());
        services.AddSingleton<Predictor>();
        services.AddSingleton<OpenInference>();
        services.AddEventHandler<PromotionFollower>();
        // The first load's cost (first calls into the artifact store, signature check and tree compiler) is paid at start.
        services.AddHostedService<ServingWarmUp>();
        services.AddGrpcService<ServingGrpcService>();
        services.AddGrpcService<InferenceGrpcService>();
        services.AddHttpEndpoints("inference-v2-rest", endpoints => endpoints.MapOpenInferenceRest());
        return services;
    }
}
