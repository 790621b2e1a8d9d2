using Cascade.Contracts.Features.V1;
using Cascade.Grpc;

namespace Cascade.Features.Grpc;

/// <summary>Method descriptors of <c>cascade.features.v1.Features</c>.</summary>
public static class FeaturesMethods
{
    public const string ServiceName = "cascade.features.v1.Features";

    public static readonly Method<ApplyFeatureViewRequest, FeatureView> ApplyFeatureView = new(MethodType.Unary, ServiceName, "ApplyFeatureView", ApplyFeatureViewRequest.Parser, FeatureView.Parser);
    public static readonly Method<GetFeatureViewRequest, FeatureView> GetFeatureView = new(MethodType.Unary, ServiceName, "GetFeatureView", GetFeatureViewRequest.Parser, FeatureView.Parser);
    public static readonly Method<ListFeatureViewsRequest, ListFeatureViewsResponse> ListFeatureViews = new(MethodType.Unary, ServiceName, "ListFeatureViews", ListFeatureViewsRequest.Parser, ListFeatureViewsResponse.Parser);
    public static readonly Method<GetOnlineFeaturesRequest, GetOnlineFeaturesResponse> GetOnlineFeatures = new(MethodType.Unary, ServiceName, "GetOnlineFeatures", GetOnlineFeaturesRequest.Parser, GetOnlineFeaturesResponse.Parser);
    public static readonly Method<GetMaterializationStatusRequest, MaterializationStatus> GetMaterializationStatus = new(MethodType.Unary, ServiceName, "GetMaterializationStatus", GetMaterializationStatusRequest.Parser, MaterializationStatus.Parser);
}
