using Cascade.Contracts.Registry.V1;
using Grpc.Core;

namespace Cascade.Training.Domain;

/// <summary>Training's view of the Registry when they run as separate processes: its gRPC API.</summary>
public sealed class GrpcRegistryGateway(Contracts.Registry.V1.Registry.RegistryClient registry) : IRegistryGateway
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task<ModelVersion?> GetChampionAsync(string model, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.GetAliasAsync(new GetAliasRequest { Model = model, Alias = "champion" }, deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null; // no champion yet (or no model yet): the first version is judged against the floor
        }
    }

    public async Task<RegisterModelVersionResponse> RegisterAsync(ModelVersionSpec spec, string registeredBy, CancellationToken cancellationToken) =>
        await registry.RegisterModelVersionAsync(new RegisterModelVersionRequest { Spec = spec, RegisteredBy = registeredBy }, deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);

    public async Task<ModelVersion?> GetVersionAsync(string model, int version, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.GetModelVersionAsync(new GetModelVersionRequest { Model = model, Version = version }, deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<ModelVersion?> GetAliasAsync(string model, string alias, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.GetAliasAsync(new GetAliasRequest { Model = model, Alias = alias }, deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }
}
