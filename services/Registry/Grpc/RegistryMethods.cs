using Cascade.Contracts.Registry.V1;
using Cascade.Grpc;

namespace Cascade.Registry.Grpc;

/// <summary>Method descriptors of <c>cascade.registry.v1.Registry</c>.</summary>
public static class RegistryMethods
{
    public const string ServiceName = "cascade.registry.v1.Registry";

    public static readonly Method<CreateModelRequest, Model> CreateModel = new(MethodType.Unary, ServiceName, "CreateModel", CreateModelRequest.Parser, Model.Parser);
    public static readonly Method<GetModelRequest, Model> GetModel = new(MethodType.Unary, ServiceName, "GetModel", GetModelRequest.Parser, Model.Parser);
    public static readonly Method<ListModelsRequest, ListModelsResponse> ListModels = new(MethodType.Unary, ServiceName, "ListModels", ListModelsRequest.Parser, ListModelsResponse.Parser);
    public static readonly Method<RegisterModelVersionRequest, RegisterModelVersionResponse> RegisterModelVersion = new(MethodType.Unary, ServiceName, "RegisterModelVersion", RegisterModelVersionRequest.Parser, RegisterModelVersionResponse.Parser);
    public static readonly Method<GetModelVersionRequest, ModelVersion> GetModelVersion = new(MethodType.Unary, ServiceName, "GetModelVersion", GetModelVersionRequest.Parser, ModelVersion.Parser);
    public static readonly Method<ListModelVersionsRequest, ListModelVersionsResponse> ListModelVersions = new(MethodType.Unary, ServiceName, "ListModelVersions", ListModelVersionsRequest.Parser, ListModelVersionsResponse.Parser);
    public static readonly Method<GetAliasRequest, ModelVersion> GetAlias = new(MethodType.Unary, ServiceName, "GetAlias", GetAliasRequest.Parser, ModelVersion.Parser);
    public static readonly Method<PromoteModelVersionRequest, PromotionResult> PromoteModelVersion = new(MethodType.Unary, ServiceName, "PromoteModelVersion", PromoteModelVersionRequest.Parser, PromotionResult.Parser);
    public static readonly Method<RollbackModelRequest, PromotionResult> RollbackModel = new(MethodType.Unary, ServiceName, "RollbackModel", RollbackModelRequest.Parser, PromotionResult.Parser);
    public static readonly Method<GetAuditLogRequest, GetAuditLogResponse> GetAuditLog = new(MethodType.Unary, ServiceName, "GetAuditLog", GetAuditLogRequest.Parser, GetAuditLogResponse.Parser);
    public static readonly Method<DownloadArtifactRequest, ArtifactChunk> DownloadArtifact = new(MethodType.ServerStreaming, ServiceName, "DownloadArtifact", DownloadArtifactRequest.Parser, ArtifactChunk.Parser);
}
