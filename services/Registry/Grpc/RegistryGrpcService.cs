using Cascade.Contracts.Registry.V1;
using Cascade.Grpc;
using Cascade.Grpc.Server;
using Cascade.Registry.Domain;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Google.Protobuf;

namespace Cascade.Registry.Grpc;

/// <summary>The Registry gRPC API: thin handlers over <see cref="ModelRegistry"/> and the store, mapping domain errors to statuses.</summary>
public sealed class RegistryGrpcService(ModelRegistry registry, IRegistryStore store, IArtifactStore artifacts) : IGrpcService
{
    private const int ChunkSize = 1024 * 1024;

    public void Bind(GrpcServiceBinder binder)
    {
        binder.Unary(RegistryMethods.CreateModel, (r, _) => Guard(() => Task.FromResult(store.EnsureModel(Validated(r.Name), r.Task, r.Description))));
        binder.Unary(RegistryMethods.GetModel, (r, _) => Guard(() => Task.FromResult(store.GetModel(r.Name) ?? throw new KeyNotFoundException($"Model '{r.Name}' does not exist."))));
        binder.Unary(RegistryMethods.ListModels, (_, _) => Task.FromResult(new ListModelsResponse { Models = { store.ListModels() } }));
        binder.Unary(RegistryMethods.RegisterModelVersion, (r, c) => Guard(() => registry.RegisterAsync(r.Spec ?? throw new ArgumentException("spec is required."), string.IsNullOrEmpty(r.RegisteredBy) ? "anonymous" : r.RegisteredBy, c.CancellationToken)));
        binder.Unary(RegistryMethods.GetModelVersion, (r, _) => Guard(() => Task.FromResult(store.GetVersion(r.Model, r.Version) ?? throw new KeyNotFoundException($"Model '{r.Model}' has no version {r.Version}."))));
        binder.Unary(RegistryMethods.ListModelVersions, (r, _) => Task.FromResult(new ListModelVersionsResponse { Versions = { store.ListVersions(r.Model) } }));
        binder.Unary(RegistryMethods.GetAlias, (r, _) => Guard(() =>
        {
            var version = store.ResolveAlias(r.Model, r.Alias);
            return Task.FromResult(version == 0 ? throw new KeyNotFoundException($"Model '{r.Model}' has no '{r.Alias}'.") : store.GetVersion(r.Model, version)!);
        }));
        binder.Unary(RegistryMethods.PromoteModelVersion, (r, c) => Guard(() => registry.PromoteAsync(r.Model, r.Version, Actor(r.Actor), r.Reason, r.Force, c.CancellationToken)));
        binder.Unary(RegistryMethods.RollbackModel, (r, c) => Guard(() => registry.RollbackAsync(r.Model, r.ToVersion, Actor(r.Actor), r.Reason, c.CancellationToken)));
        binder.Unary(RegistryMethods.GetAuditLog, (r, _) => Task.FromResult(new GetAuditLogResponse { Entries = { store.Audit(r.Model, r.AfterSequence) } }));
        binder.ServerStreaming(RegistryMethods.DownloadArtifact, DownloadAsync);
    }

    private async Task DownloadAsync(DownloadArtifactRequest request, IServerStreamWriter<ArtifactChunk> responses, ServerCallContext context)
    {
        var bytes = await Guard(() => artifacts.GetAsync(request.Sha256, context.CancellationToken));
        for (var offset = 0; offset < bytes.Length || offset == 0; offset += ChunkSize)
        {
            var length = Math.Min(ChunkSize, bytes.Length - offset);
            await responses.WriteAsync(new ArtifactChunk { Data = ByteString.CopyFrom(bytes, offset, length), Offset = offset, TotalSize = bytes.Length });
            if (bytes.Length == 0) break;
        }
    }

    private static string Actor(string actor) => string.IsNullOrEmpty(actor) ? "anonymous" : actor;

    private static string Validated(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9][a-z0-9_-]{0,63}$") ? name : throw new ArgumentException($"Model name '{name}' is invalid: use 1–64 lower-case letters, digits, '-' or '_'.");

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (KeyNotFoundException ex) { throw new RpcException(StatusCode.NotFound, ex.Message); }
        catch (ArtifactNotFoundException ex) { throw new RpcException(StatusCode.NotFound, ex.Message); }
        catch (ArtifactCorruptedException ex) { throw new RpcException(StatusCode.DataLoss, ex.Message); }
        catch (InvalidOperationException ex) { throw new RpcException(StatusCode.FailedPrecondition, ex.Message); }
        catch (ArgumentException ex) { throw new RpcException(StatusCode.InvalidArgument, ex.Message); }
    }
}
