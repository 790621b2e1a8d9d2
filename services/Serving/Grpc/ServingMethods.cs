using Cascade.Contracts.Serving.V1;
using Cascade.Grpc;
using Inference;

namespace Cascade.Serving.Grpc;

/// <summary>Method descriptors of <c>cascade.serving.v1.Serving</c> and of the Open Inference Protocol v2.</summary>
public static class ServingMethods
{
    public const string ServiceName = "cascade.serving.v1.Serving";
    public const string InferenceServiceName = "inference.GRPCInferenceService";

    public static readonly Method<PredictRequest, PredictResponse> Predict = new(MethodType.Unary, ServiceName, "Predict", PredictRequest.Parser, PredictResponse.Parser);
    public static readonly Method<PredictBatchRequest, PredictBatchResponse> PredictBatch = new(MethodType.Unary, ServiceName, "PredictBatch", PredictBatchRequest.Parser, PredictBatchResponse.Parser);
    public static readonly Method<PredictRequest, PredictResponse> PredictStream = new(MethodType.DuplexStreaming, ServiceName, "PredictStream", PredictRequest.Parser, PredictResponse.Parser);
    public static readonly Method<PredictRequest, ExplainResponse> Explain = new(MethodType.Unary, ServiceName, "Explain", PredictRequest.Parser, ExplainResponse.Parser);
    public static readonly Method<SetTrafficPolicyRequest, ServingStatus> SetTrafficPolicy = new(MethodType.Unary, ServiceName, "SetTrafficPolicy", SetTrafficPolicyRequest.Parser, ServingStatus.Parser);
    public static readonly Method<GetServingStatusRequest, ServingStatus> GetServingStatus = new(MethodType.Unary, ServiceName, "GetServingStatus", GetServingStatusRequest.Parser, ServingStatus.Parser);

    public static readonly Method<ServerLiveRequest, ServerLiveResponse> ServerLive = new(MethodType.Unary, InferenceServiceName, "ServerLive", ServerLiveRequest.Parser, ServerLiveResponse.Parser);
    public static readonly Method<ServerReadyRequest, ServerReadyResponse> ServerReady = new(MethodType.Unary, InferenceServiceName, "ServerReady", ServerReadyRequest.Parser, ServerReadyResponse.Parser);
    public static readonly Method<ModelReadyRequest, ModelReadyResponse> ModelReady = new(MethodType.Unary, InferenceServiceName, "ModelReady", ModelReadyRequest.Parser, ModelReadyResponse.Parser);
    public static readonly Method<ServerMetadataRequest, ServerMetadataResponse> ServerMetadata = new(MethodType.Unary, InferenceServiceName, "ServerMetadata", ServerMetadataRequest.Parser, ServerMetadataResponse.Parser);
    public static readonly Method<ModelMetadataRequest, ModelMetadataResponse> ModelMetadata = new(MethodType.Unary, InferenceServiceName, "ModelMetadata", ModelMetadataRequest.Parser, ModelMetadataResponse.Parser);
    public static readonly Method<ModelInferRequest, ModelInferResponse> ModelInfer = new(MethodType.Unary, InferenceServiceName, "ModelInfer", ModelInferRequest.Parser, ModelInferResponse.Parser);
}
