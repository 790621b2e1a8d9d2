using Cascade.Hosting.Security;
using Cascade.Contracts.Registry.V1;
using Grpc.Core;
using Cascade.Registry.Domain;
using Cascade.Registry.Options;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Google.Protobuf;

namespace Cascade.Registry.Grpc;

/// <summary>The Registry gRPC API: thin handlers over <see cref="ModelRegistry"/> and the store, mapping domain errors to statuses.</summary>
public sealed class RegistryGrpcService(ModelRegistry registry, IRegistryStore store, IArtifactStore artifacts, ArtifactUploadOptions? uploads = null) : Contracts.Registry.V1.Registry.RegistryBase
{
    private readonly ArtifactUploadOptions _uploads = uploads ?? new ArtifactUploadOptions();

    private const int ChunkSize = 1024 * 1024;

    public override Task<Model> CreateModel(CreateModelRequest r, ServerCallContext context) =>
        Guard(() => Task.FromResult(store.EnsureModel(Validated(r.Name), r.Task, r.Description)));

    public override Task<Model> GetModel(GetModelRequest r, ServerCallContext context) =>
        Guard(() => Task.FromResult(store.GetModel(r.Name) ?? throw new KeyNotFoundException($"Model '{r.Name}' does not exist.")));

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context) =>
        Task.FromResult(new ListModelsResponse { Models = { store.ListModels() } });

    public override Task<RegisterModelVersionResponse> RegisterModelVersion(RegisterModelVersionRequest r, ServerCallContext c) =>
        Guard(() => registry.RegisterAsync(r.Spec ?? throw new ArgumentException("spec is required."), RegisteredBy(c, r.RegisteredBy), c.CancellationToken));

    public override Task<ModelVersion> GetModelVersion(GetModelVersionRequest r, ServerCallContext context) =>
        Guard(() => Task.FromResult(store.GetVersion(r.Model, r.Version) ?? throw new KeyNotFoundException($"Model '{r.Model}' has no version {r.Version}.")));

    public override Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest r, ServerCallContext context) =>
        Guard(() => Task.FromResult(VersionPages.Read(store, r)));

    public override Task<ModelVersion> GetAlias(GetAliasRequest r, ServerCallContext context) =>
        Guard(() =>
        {
            var version = store.ResolveAlias(r.Model, r.Alias);
            return Task.FromResult(version == 0 ? throw new KeyNotFoundException($"Model '{r.Model}' has no '{r.Alias}'.") : store.GetVersion(r.Model, version)!);
        });

    public override Task<PromotionResult> PromoteModelVersion(PromoteModelVersionRequest r, ServerCallContext c) =>
        Guard(() => registry.PromoteAsync(r.Model, r.Version, CallerIdentity.Actor(c, r.Actor), r.Reason, r.Force, c.CancellationToken));

    public override Task<PromotionResult> RollbackModel(RollbackModelRequest r, ServerCallContext c) =>
        Guard(() => registry.RollbackAsync(r.Model, r.ToVersion, CallerIdentity.Actor(c, r.Actor), r.Reason, c.CancellationToken));

    public override Task<Model> SetTrafficPolicy(SetTrafficPolicyRequest r, ServerCallContext c) =>
        Guard(() => Task.FromResult(registry.SetTrafficPolicy(r.Model, r.CanaryPercent, r.Shadow, ForwardedActor(c, r.Actor), r.Reason)));

    public override Task<GetAuditLogResponse> GetAuditLog(GetAuditLogRequest r, ServerCallContext context) =>
        Task.FromResult(new GetAuditLogResponse { Entries = { store.Audit(r.Model, r.AfterSequence) } });

    public override Task DownloadArtifact(DownloadArtifactRequest request, IServerStreamWriter<ArtifactChunk> responseStream, ServerCallContext context) => DownloadAsync(request, responseStream, context);

    public override Task<UploadArtifactResponse> UploadArtifact(IAsyncStreamReader<ArtifactUploadChunk> requestStream, ServerCallContext context) =>
        Guard(() => UploadAsync(requestStream, context.CancellationToken));

    private async Task<UploadArtifactResponse> UploadAsync(IAsyncStreamReader<ArtifactUploadChunk> chunks, CancellationToken cancellationToken)
    {
        await using var upload = new ArtifactUpload(artifacts, _uploads);
        await foreach (var chunk in chunks.ReadAllAsync(cancellationToken))
        {
            await upload.AppendAsync(chunk.Data.Memory, chunk.Offset, chunk.TotalSize, chunk.Sha256, cancellationToken);
        }
        var stored = await upload.CompleteAsync(cancellationToken);
        return new UploadArtifactResponse { Sha256 = stored.Sha256, Uri = stored.Uri, SizeBytes = stored.SizeBytes };
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

    // The authenticated principal when there is one (a service identity); with authentication off, the worker's own name, as lineage.
    private static string RegisteredBy(ServerCallContext context, string claimed) =>
        CallerIdentity.IsAuthenticated(context) ? CallerIdentity.Actor(context, claimed) : string.IsNullOrEmpty(claimed) ? "anonymous" : claimed;

    /// <summary>
    /// The actor of a change a service forwards for its own caller (Serving's SetTrafficPolicy): the service proved who
    /// its caller was, so the record names both (<c>alice (via serving)</c>). Anyone else is named as
    /// <see cref="CallerIdentity.Actor"/> names them.
    /// </summary>
    private static string ForwardedActor(ServerCallContext context, string claimed)
    {
        var caller = CallerIdentity.Actor(context, claimed);
        if (!CallerIdentity.IsAuthenticated(context) || string.IsNullOrWhiteSpace(claimed)) return caller;
        return CascadePrincipal.RoleOf(context.GetHttpContext().User) == CascadeRole.Service ? $"{claimed.Trim()} (via {caller})" : caller;
    }

    private static string Validated(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9][a-z0-9_-]{0,63}$") ? name : throw new ArgumentException($"Model name '{name}' is invalid: use 1–64 lower-case letters, digits, '-' or '_'.");

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (KeyNotFoundException ex) { throw new RpcException(new Status(StatusCode.NotFound, ex.Message)); }
        catch (ArtifactNotFoundException ex) { throw new RpcException(new Status(StatusCode.NotFound, ex.Message)); }
        catch (ArtifactCorruptedException ex) { throw new RpcException(new Status(StatusCode.DataLoss, ex.Message)); }
        catch (ArtifactTooLargeException ex) { throw new RpcException(new Status(StatusCode.ResourceExhausted, ex.Message)); }
        catch (InvalidOperationException ex) { throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message)); }
        catch (ArgumentException ex) { throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message)); }
    }
}
