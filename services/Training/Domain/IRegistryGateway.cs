using Cascade.Contracts.Registry.V1;

namespace Cascade.Training.Domain;

/// <summary>
/// What Training needs from the Registry: the champion to compare against, registration, and the versions a
/// batch-scoring job names (by number or alias).
/// </summary>
/// <remarks>In-process in the all-in-one host; over gRPC when the services run apart.</remarks>
public interface IRegistryGateway
{
    /// <summary>The champion version of a model, or null.</summary>
    Task<ModelVersion?> GetChampionAsync(string model, CancellationToken cancellationToken);

    Task<RegisterModelVersionResponse> RegisterAsync(ModelVersionSpec spec, string registeredBy, CancellationToken cancellationToken);

    /// <summary>One version of a model, or null when the model or the version does not exist.</summary>
    Task<ModelVersion?> GetVersionAsync(string model, int version, CancellationToken cancellationToken);

    /// <summary>The version an alias (<c>champion</c>, <c>challenger</c>) points at, or null when it points at none.</summary>
    Task<ModelVersion?> GetAliasAsync(string model, string alias, CancellationToken cancellationToken);
}
