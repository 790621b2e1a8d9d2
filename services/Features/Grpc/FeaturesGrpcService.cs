using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events;
using Cascade.Contracts.Features.V1;
using Cascade.Features.Domain;
using Cascade.Features.Erasure;
using Cascade.Features.Materialization;
using Cascade.Features.Sources;
using Cascade.Features.Storage;
using Cascade.Hosting.Security;
using Microsoft.Extensions.DependencyInjection;
using Cascade.Features.Vocabulary;
using Grpc.Core;
using Cascade.Storage.OnlineStore;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Features.Grpc;

/// <summary>The Features gRPC API: feature views and online lookups.</summary>
public sealed class FeaturesGrpcService(
    FeatureStateStore store, MaterializationService materialization, IOnlineStore online, VocabularyResolver vocabularies,
    FeatureSourceAnnouncer sources, EntityEraser eraser, IServiceProvider services) : Contracts.Features.V1.Features.FeaturesBase
{
    /// <summary>The audit log's action for an erasure.</summary>
    public const string ErasedAction = "entity.erased";

    /// <summary>Most entities one lookup may ask for.</summary>
    public const int MaxEntitiesPerLookup = 1000;

    public override Task<FeatureView> ApplyFeatureView(ApplyFeatureViewRequest request, ServerCallContext context) => ApplyAsync(request, context);

    public override Task<FeatureView> GetFeatureView(GetFeatureViewRequest request, ServerCallContext context) =>
        Task.FromResult(Describe(Require(request.Name)));

    public override Task<ListFeatureViewsResponse> ListFeatureViews(ListFeatureViewsRequest request, ServerCallContext context) =>
        Task.FromResult(new ListFeatureViewsResponse { Views = { store.Views().Select(Describe) } });

    public override Task<GetOnlineFeaturesResponse> GetOnlineFeatures(GetOnlineFeaturesRequest request, ServerCallContext context) => GetOnlineFeaturesAsync(request, context);

    public override Task<MaterializationStatus> GetMaterializationStatus(GetMaterializationStatusRequest request, ServerCallContext context) =>
        Task.FromResult(Status(Require(request.FeatureView)));

    public override Task<EraseEntityResponse> EraseEntity(EraseEntityRequest request, ServerCallContext context) => EraseAsync(request, context);

    private async Task<EraseEntityResponse> EraseAsync(EraseEntityRequest request, ServerCallContext context)
    {
        ErasureResult result;
        try
        {
            // What the views applied since their last timed checkpoint is saved first, so it is erased and counted too.
            await materialization.CheckpointAsync(request.Dataset, context.CancellationToken);
            result = await eraser.EraseAsync(request.Dataset, request.EntityId, context.CancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        var through = new Watermark { Topic = Topics.Data(request.Dataset) };
        through.Partitions.AddRange(result.Erasure.Through.OrderBy(p => p.Key).Select(p => new PartitionOffset { Partition = p.Key, Offset = p.Value }));
        var detail = $"views: {(result.FeatureViews.Count == 0 ? "none" : string.Join(", ", result.FeatureViews))}; online vectors {result.OnlineVectors}, offline rows {result.OfflineRows}, window states {result.EntityStates}; records below {string.Join(", ", through.Partitions.Select(p => $"{p.Partition}:{p.Offset}"))} are skipped from now on";
        // The audit trail is the host's (registered with authentication); the entry names who erased what, with the counts.
        if (services.GetService<IAuditTrail>() is { } audit)
        {
            var user = context.GetHttpContext()?.User;
            var role = CascadePrincipal.RoleOf(user) is { } held ? CascadeRoles.Name(held) : "none";
            await audit.RecordAsync(new AuditEntry(CascadePrincipal.NameOf(user), role, ErasedAction, $"{request.Dataset}/{request.EntityId}", AuditOutcome.Succeeded, detail), context.CancellationToken);
        }
        return new EraseEntityResponse
        {
            Dataset = request.Dataset, EntityId = request.EntityId, FeatureViews = { result.FeatureViews },
            OnlineVectorsRemoved = result.OnlineVectors, OfflineRowsRemoved = result.OfflineRows, EntityStatesRemoved = result.EntityStates,
            ErasedThrough = through, ErasedAt = Timestamp.FromDateTimeOffset(result.Erasure.ErasedAt),
        };
    }

    private async Task<FeatureView> ApplyAsync(ApplyFeatureViewRequest request, ServerCallContext context)
    {
        if (request.Spec is null) throw new RpcException(new Status(StatusCode.InvalidArgument, "spec is required."));
        FeatureViewDefinition view;
        try
        {
            IReadOnlyDictionary<string, IReadOnlyList<string>>? resolved = null;
            if (store.Latest(request.Spec.Name) is not { } current || !current.Spec.Equals(request.Spec))
            {
                // A new version: refuse a wrong spec before reading any data, then read the data for its vocabularies.
                // The same spec again is the current version, whose vocabularies are never recomputed.
                FeatureViewDefinition.Check(request.Spec);
                resolved = await vocabularies.ResolveAsync(request.Spec, context.CancellationToken);
            }
            // validate_only: the server-side dry run, which writes no version and starts no materialization.
            view = request.ValidateOnly ? store.Preview(request.Spec, resolved) : store.Apply(request.Spec, resolved);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (VocabularyUnavailableException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
        catch (TimeoutException ex)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, ex.Message));
        }
        if (!request.ValidateOnly)
        {
            materialization.Start(view);
            // Every apply, even of an unchanged spec, so applying again repairs an announcement the log missed.
            await sources.AnnounceAsync(view, context.CancellationToken);
        }
        return Describe(view);
    }

    private async Task<GetOnlineFeaturesResponse> GetOnlineFeaturesAsync(GetOnlineFeaturesRequest request, ServerCallContext context)
    {
        var view = Require(request.FeatureView);
        if (request.EntityIds.Count is 0 or > MaxEntitiesPerLookup)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Ask for 1 to {MaxEntitiesPerLookup} entity ids (got {request.EntityIds.Count})."));
        }
        var vectors = await online.ReadBatchAsync(view.Name, request.EntityIds, context.CancellationToken);
        var response = new GetOnlineFeaturesResponse { FeatureNames = { view.FeatureNames } };
        for (var i = 0; i < vectors.Length; i++)
        {
            var entity = new EntityFeatures { EntityId = request.EntityIds[i], Found = vectors[i] is not null };
            if (vectors[i] is { } vector)
            {
                entity.Values.Add(vector.Values);
                entity.EventTime = Timestamp.FromDateTimeOffset(vector.EventTime);
            }
            response.Entities.Add(entity);
        }
        return response;
    }

    private FeatureViewDefinition Require(string name) =>
        store.Latest(name) ?? throw new RpcException(new Status(StatusCode.NotFound, $"Feature view '{name}' does not exist: apply it with ApplyFeatureView."));

    private static FeatureView Describe(FeatureViewDefinition view) => new()
    {
        Spec = view.Spec,
        Meta = new FeatureViewMeta { Version = view.Version, FeatureNames = { view.FeatureNames }, Categoricals = { CategoricalMapping.ToProto(view.Categoricals) } },
    };

    private MaterializationStatus Status(FeatureViewDefinition view)
    {
        var materializer = materialization.Find(view.Name);
        var watermark = new Watermark { Topic = Topics.Data(view.Spec.Dataset) };
        if (materializer is not null)
        {
            watermark.Partitions.AddRange(materializer.Applied.OrderBy(a => a.Key).Select(a => new PartitionOffset { Partition = a.Key, Offset = a.Value }));
        }
        var (p50, p99, max, samples) = materializer?.Freshness.Snapshot() ?? default;
        return new MaterializationStatus
        {
            FeatureView = view.Name, ViewVersion = view.Version, Watermark = watermark, LabeledRows = materializer?.LabeledRows ?? 0,
            FreshnessP50Ms = p50, FreshnessP99Ms = p99, FreshnessMaxMs = max, FreshnessSamples = samples,
        };
    }
}
