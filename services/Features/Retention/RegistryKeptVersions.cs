using Cascade.Contracts;
using Cascade.Contracts.Registry.V1;
using Cascade.Features.Options;
using Grpc.Core;

namespace Cascade.Features.Retention;

/// <summary>
/// The kept versions, asked of the Registry's gRPC API at each pass (in the all-in-one host its client calls the
/// registry in-process). Nothing is cached: after a restart or an outage the next pass asks again, and a version the
/// registry collected stops holding its rows at the next pass.
/// </summary>
public sealed class RegistryKeptVersions(Contracts.Registry.V1.Registry.RegistryClient? registry, OfflineRetentionOptions options) : IKeptVersions
{
    public async Task<IReadOnlyList<KeptVersion>> ListAsync(CancellationToken cancellationToken)
    {
        if (registry is null)
        {
            throw new InvalidOperationException("Features has no registry client: set Cascade:Services:registry so offline retention can learn which versions keep their rows.");
        }
        // One deadline for the whole listing: a registry that answers some models and then stalls deletes nothing.
        var call = new CallOptions(deadline: DateTime.UtcNow + options.RegistryTimeout, cancellationToken: cancellationToken);
        var models = await registry.ListModelsAsync(new ListModelsRequest(), call);
        var kept = new List<KeptVersion>();
        foreach (var model in models.Models)
        {
            foreach (var version in await registry.ListAllModelVersionsAsync(model.Name, call))
            {
                if (KeptVersionMapping.FromProto(version) is { } hold) kept.Add(hold);
            }
        }
        return kept;
    }
}
