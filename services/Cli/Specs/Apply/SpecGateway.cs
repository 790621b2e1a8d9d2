using Cascade.Cli.Demo;
using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Wire;
using Cascade.Contracts;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using FeaturesApi = Cascade.Contracts.Features.V1.Features;
using IngestionApi = Cascade.Contracts.Ingestion.V1.Ingestion;
using ServingApi = Cascade.Contracts.Serving.V1.Serving;
using TrainingApi = Cascade.Contracts.Training.V1.Training;

namespace Cascade.Cli.Specs.Apply;

/// <summary>
/// The declarable objects as the services hold them, over each one's own API: reads (get, list), the server-side dry
/// run (<c>validate_only</c>) and the real write. Works the same against the all-in-one host and the distributed services.
/// </summary>
internal sealed class SpecGateway(CascadeChannels channels)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private IngestionApi.IngestionClient IngestionClient => new(channels.Ingestion);

    private FeaturesApi.FeaturesClient FeaturesClient => new(channels.Features);

    private TrainingApi.TrainingClient TrainingClient => new(channels.Training);

    private ServingApi.ServingClient ServingClient => new(channels.Serving);

    /// <summary>The object as the host holds it; null when it holds none (a traffic policy: when the model is not served).</summary>
    public async Task<SpecObject?> GetAsync(SpecKind kind, string name, CancellationToken cancellationToken)
    {
        try
        {
            return kind switch
            {
                SpecKind.Dataset => DatasetMapping.FromProto((await IngestionClient.GetDatasetAsync(new GetDatasetRequest { Name = name }, Call(cancellationToken))).Spec),
                SpecKind.FeatureView => FeatureViewMapping.FromProto((await FeaturesClient.GetFeatureViewAsync(new GetFeatureViewRequest { Name = name }, Call(cancellationToken))).Spec),
                SpecKind.TrainingPolicy => TrainingPolicyMapping.FromProto((await TrainingClient.GetTrainingPolicyAsync(new GetTrainingPolicyRequest { Model = name }, Call(cancellationToken))).Spec),
                SpecKind.TrafficPolicy => (await ServingClient.GetServingStatusAsync(new GetServingStatusRequest(), Call(cancellationToken))).Models
                    .Where(m => m.Model == name).Select(TrafficPolicyMapping.FromProto).FirstOrDefault(),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
            };
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Every object of a kind the host holds, by name.</summary>
    public async Task<IReadOnlyList<SpecObject>> ListAsync(SpecKind kind, CancellationToken cancellationToken) => kind switch
    {
        SpecKind.Dataset => (await IngestionClient.ListDatasetsAsync(new ListDatasetsRequest(), Call(cancellationToken))).Datasets.Select(d => DatasetMapping.FromProto(d.Spec)).ToArray(),
        SpecKind.FeatureView => (await FeaturesClient.ListFeatureViewsAsync(new ListFeatureViewsRequest(), Call(cancellationToken))).Views.Select(v => FeatureViewMapping.FromProto(v.Spec)).ToArray(),
        SpecKind.TrainingPolicy => (await TrainingClient.ListTrainingPoliciesAsync(new ListTrainingPoliciesRequest(), Call(cancellationToken))).Policies.Select(p => TrainingPolicyMapping.FromProto(p.Spec)).ToArray(),
        SpecKind.TrafficPolicy => (await ServingClient.GetServingStatusAsync(new GetServingStatusRequest(), Call(cancellationToken))).Models.Select(TrafficPolicyMapping.FromProto).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Writes the object (or, with <paramref name="validateOnly"/>, has its service check it and write nothing); returns what the service made of it.</summary>
    /// <exception cref="RpcException">The service refused it (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND) or could not be reached.</exception>
    public async Task<string> PutAsync(SpecObject spec, bool validateOnly, CancellationToken cancellationToken)
    {
        switch (spec.Spec)
        {
            case DatasetSpecification dataset:
                var registered = await IngestionClient.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DatasetMapping.ToProto(spec.Name, dataset), ValidateOnly = validateOnly }, Call(cancellationToken));
                return $"schema v{registered.Meta.SchemaVersion}";
            case FeatureViewSpecification view:
                var applied = await FeaturesClient.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = FeatureViewMapping.ToProto(spec.Name, view), ValidateOnly = validateOnly }, Call(cancellationToken));
                return $"v{applied.Meta.Version}: {applied.Meta.FeatureNames.Count} features";
            case TrainingPolicySpecification policy:
                var put = await TrainingClient.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = TrainingPolicyMapping.ToProto(spec.Name, policy), ValidateOnly = validateOnly }, Call(cancellationToken));
                return $"policy v{put.Meta.Version}";
            case TrafficPolicySpecification traffic:
                var status = await ServingClient.SetTrafficPolicyAsync(TrafficPolicyMapping.ToRequest(spec.Name, traffic, validateOnly), Call(cancellationToken));
                var served = status.Models.FirstOrDefault(m => m.Model == spec.Name);
                return served is null ? "" : $"canary {served.CanaryPercent}%{(served.Shadow ? ", shadow" : "")}";
            default:
                throw new ArgumentException($"No service takes a {spec.Spec.GetType().Name}.", nameof(spec));
        }
    }

    private static CallOptions Call(CancellationToken cancellationToken) => GrpcCalls.Within(CallTimeout, cancellationToken);
}
