using Cascade.Contracts.Registry.V1;

namespace Cascade.Training.Domain;

/// <summary>What training workers need from the Registry: the champion to compare against, and registration.</summary>
/// <remarks>In-process in the all-in-one host; over gRPC when the services run apart.</remarks>
public interface IRegistryGateway
{
    /// <summary>The champion version of a model, or null.</summary>
    Task<ModelVersion?> GetChampionAsync(string model, CancellationToken cancellationToken);

    Task<RegisterModelVersionResponse> RegisterAsync(ModelVersionSpec spec, string registeredBy, CancellationToken cancellationToken);
}
