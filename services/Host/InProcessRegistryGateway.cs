using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Domain;
using Cascade.Registry.Storage;
using Cascade.Training.Domain;

namespace Cascade.Host;

/// <summary>Training's view of the Registry when both run in this process: direct calls, no network hop.</summary>
internal sealed class InProcessRegistryGateway(ModelRegistry registry, IRegistryStore store) : IRegistryGateway
{
    public Task<ModelVersion?> GetChampionAsync(string model, CancellationToken cancellationToken)
    {
        var version = store.ResolveAlias(model, Aliases.Champion);
        return Task.FromResult(version == 0 ? null : store.GetVersion(model, version));
    }

    public Task<RegisterModelVersionResponse> RegisterAsync(ModelVersionSpec spec, string registeredBy, CancellationToken cancellationToken) =>
        registry.RegisterAsync(spec, registeredBy, cancellationToken);

    public Task<ModelVersion?> GetVersionAsync(string model, int version, CancellationToken cancellationToken) =>
        Task.FromResult(store.GetVersion(model, version));

    public Task<ModelVersion?> GetAliasAsync(string model, string alias, CancellationToken cancellationToken)
    {
        var version = store.ResolveAlias(model, alias);
        return Task.FromResult(version == 0 ? null : store.GetVersion(model, version));
    }
}
