using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Training.Domain;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Cli.Reproduce;

/// <summary>
/// The training settings to retrain a version with: those its lineage records, or, for a version trained before they
/// were recorded, its model's training policy, with a cause when the policy changed since the version's job ran (its
/// split, rounds or cap may then not be the job's).
/// </summary>
internal static class ReproductionSettings
{
    public static async Task<(TrainingSettings Settings, IReadOnlyList<string> Causes)> ResolveAsync(GrpcChannel channel, ModelVersion version, CancellationToken cancellationToken)
    {
        var lineage = version.Spec.Lineage;
        if (TrainingSettings.Recorded(lineage.Parameters))
        {
            return (TrainingSettings.FromLineage(lineage.Parameters), []);
        }
        var training = new Contracts.Training.V1.Training.TrainingClient(channel);
        var policy = await training.GetTrainingPolicyAsync(new GetTrainingPolicyRequest { Model = version.Spec.Model }, Commands.HostCall.Timeout(cancellationToken));
        var usedVersion = 0;
        try
        {
            usedVersion = (await training.GetJobAsync(new GetJobRequest { Id = lineage.TrainingJobId }, Commands.HostCall.Timeout(cancellationToken))).Spec.PolicyVersion;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            // The job is gone from Training's history: which policy version it used is unknown.
        }
        var settings = TrainingSettings.FromLineage(lineage.Parameters, policy.Spec);
        return usedVersion == policy.Meta.Version
            ? (settings, [])
            : (settings, [$"v{version.Meta.Version} predates recorded training settings and its job used policy {(usedVersion == 0 ? "(unknown)" : $"v{usedVersion}")}; split, rounds and row cap were taken from the current policy v{policy.Meta.Version}"]);
    }
}
