using Cascade.Contracts.Registry.V1;
using Cascade.Grpc;
using Cascade.Grpc.Client;
using Cascade.Registry.Grpc;

namespace Cascade.Training.Domain;

/// <summary>Training's view of the Registry when they run as separate processes: its gRPC API.</summary>
public sealed class GrpcRegistryGateway(GrpcChannel registry) : IRegistryGateway
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task<ModelVersion?> GetChampionAsync(string model, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.UnaryAsync(RegistryMethods.GetAlias, new GetAliasRequest { Model = model, Alias = "champion" }, CallOptions.WithTimeout(Timeout, cancellationToken));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null; // no champion yet (or no model yet): the first version is judged against the floor
        }
    }

    public async Task<RegisterModelVersionResponse> RegisterAsync(ModelVersionSpec spec, string registeredBy, CancellationToken cancellationToken) =>
        await registry.UnaryAsync(RegistryMethods.RegisterModelVersion, new RegisterModelVersionRequest { Spec = spec, RegisteredBy = registeredBy }, CallOptions.WithTimeout(Timeout, cancellationToken));
}
