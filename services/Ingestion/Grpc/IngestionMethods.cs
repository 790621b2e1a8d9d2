using Cascade.Contracts.Ingestion.V1;
using Cascade.Grpc;

namespace Cascade.Ingestion.Grpc;

/// <summary>Method descriptors of <c>cascade.ingestion.v1.Ingestion</c>, shared by the service and its clients.</summary>
public static class IngestionMethods
{
    public const string ServiceName = "cascade.ingestion.v1.Ingestion";

    public static readonly Method<RegisterDatasetRequest, Dataset> RegisterDataset = new(MethodType.Unary, ServiceName, "RegisterDataset", RegisterDatasetRequest.Parser, Dataset.Parser);
    public static readonly Method<GetDatasetRequest, Dataset> GetDataset = new(MethodType.Unary, ServiceName, "GetDataset", GetDatasetRequest.Parser, Dataset.Parser);
    public static readonly Method<ListDatasetsRequest, ListDatasetsResponse> ListDatasets = new(MethodType.Unary, ServiceName, "ListDatasets", ListDatasetsRequest.Parser, ListDatasetsResponse.Parser);
    public static readonly Method<IngestRequest, IngestResponse> Ingest = new(MethodType.ClientStreaming, ServiceName, "Ingest", IngestRequest.Parser, IngestResponse.Parser);
    public static readonly Method<IngestRequest, IngestResponse> IngestBatch = new(MethodType.Unary, ServiceName, "IngestBatch", IngestRequest.Parser, IngestResponse.Parser);
    public static readonly Method<SubmitLabelsRequest, SubmitLabelsResponse> SubmitLabels = new(MethodType.Unary, ServiceName, "SubmitLabels", SubmitLabelsRequest.Parser, SubmitLabelsResponse.Parser);
}
