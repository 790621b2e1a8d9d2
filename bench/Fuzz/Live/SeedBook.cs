using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Inference;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Fuzz.Live;

/// <summary>
/// Valid requests of the methods whose handlers do the most with their input (what a real client sends, naming what
/// the live host holds), for mutations to start from; every other method starts from generated messages. Also the
/// names the generator picks for fields by their name, and valid OIP REST bodies.
/// </summary>
public sealed class SeedBook(string artifactSha256)
{
    /// <summary>Names the host knows, by the field names that carry them.</summary>
    public IReadOnlyDictionary<string, string[]> Names { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["name"] = [LiveHost.Dataset, LiveHost.View, LiveHost.Model, "input", "output", "fuzz-new", "t", "h"],
        ["dataset"] = [LiveHost.Dataset, "fuzz-other"],
        ["feature_view"] = [LiveHost.View, "fuzz-other-view"],
        ["model"] = [LiveHost.Model, "fuzz-policy", "fuzz-other-model"],
        ["models"] = [LiveHost.Model],
        ["model_name"] = [LiveHost.Model],
        ["model_version"] = ["", "1", "2"],
        ["alias"] = ["champion", "challenger"],
        ["entity_id"] = LiveHost.Entities,
        ["entity_ids"] = LiveHost.Entities,
        ["entity_column"] = ["device"],
        ["event_time_column"] = ["ts"],
        ["label_column"] = ["failed", ""],
        ["column"] = ["t", "h", "zone", "count", "on"],
        ["passthrough"] = ["t", "h", "count"],
        ["key"] = ["t", "h", "zone", "on", "count", "f0", "f1", "f2", "max_depth", "eta", "objective"],
        ["feature_names"] = LiveHost.FeatureNames,
        ["datatype"] = ["FP32", "FP64", "INT32", "INT64", "BOOL", "BYTES", "FP16", "UINT8"],
        ["objective"] = ["binary:logistic", "reg:squarederror", "multi:softprob", "rank:pairwise"],
        ["framework"] = ["xgboost", "onnx"],
        ["sha256"] = [artifactSha256],
        ["artifact_sha256"] = [artifactSha256],
        ["artifact_uri"] = ["sha256:" + artifactSha256],
        ["service"] = ["", "cascade.serving.v1.Serving", "inference.GRPCInferenceService"],
        ["actor"] = ["fuzz"],
        ["reason"] = ["fuzz"],
    };

    private static readonly float[] Row = [0.5f, -1.25f, 2f];

    /// <summary>Valid requests by method path.</summary>
    public IReadOnlyList<IMessage> For(string path, Random random) => path switch
    {
        "/cascade.ingestion.v1.Ingestion/RegisterDataset" => [new RegisterDatasetRequest { Spec = DatasetSpec(random), ValidateOnly = random.Next(2) == 0 }],
        "/cascade.ingestion.v1.Ingestion/IngestBatch" or "/cascade.ingestion.v1.Ingestion/Ingest" => [Ingest(random)],
        "/cascade.ingestion.v1.Ingestion/SubmitLabels" => [new SubmitLabelsRequest
        {
            Labels = { new Label { Model = LiveHost.Model, EntityId = "d1", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-5)), Value = 1 } },
        }],
        "/cascade.features.v1.Features/ApplyFeatureView" => [new ApplyFeatureViewRequest
        {
            ValidateOnly = random.Next(3) > 0,
            Spec = new FeatureViewSpec
            {
                Name = random.Next(2) == 0 ? LiveHost.View : "fuzz-view-" + random.Next(3), Dataset = LiveHost.Dataset, Passthrough = { "t", "h" },
                Aggregations = { new Aggregation { Column = "t", Function = AggregationFunction.Sum, Window = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)), Name = "t_sum" } },
                Categoricals = { new CategoricalFeature { Column = "zone", Encoding = Contracts.Common.V1.CategoricalEncoding.OneHot, Vocabulary = { "north", "south" } } },
            },
        }],
        "/cascade.features.v1.Features/GetOnlineFeatures" => [new GetOnlineFeaturesRequest { FeatureView = LiveHost.View, EntityIds = { "d1", "d2", "nobody" } }],
        "/cascade.registry.v1.Registry/RegisterModelVersion" => [new RegisterModelVersionRequest
        {
            RegisteredBy = "fuzz",
            Spec = new ModelVersionSpec
            {
                Model = LiveHost.Model, ArtifactUri = "sha256:" + artifactSha256, ArtifactSha256 = artifactSha256, Framework = "xgboost",
                Objective = "binary:logistic", FeatureNames = { LiveHost.FeatureNames }, NumClass = 1,
                Lineage = new Lineage { Dataset = LiveHost.Dataset, TriggerReason = "fuzz" },
                ValidationMetrics = { ["auc"] = 0.5 },
            },
        }],
        "/cascade.registry.v1.Registry/PromoteModelVersion" => [new PromoteModelVersionRequest { Model = LiveHost.Model, Version = 1, Actor = "fuzz", Reason = "fuzz", Force = random.Next(2) == 0 }],
        "/cascade.registry.v1.Registry/UploadArtifact" => Upload(random),
        "/cascade.registry.v1.Registry/DownloadArtifact" => [new DownloadArtifactRequest { Sha256 = artifactSha256 }],
        "/cascade.serving.v1.Serving/Predict" or "/cascade.serving.v1.Serving/Explain" or "/cascade.serving.v1.Serving/PredictStream" => [Predict(random)],
        "/cascade.serving.v1.Serving/PredictBatch" => [new PredictBatchRequest { Model = LiveHost.Model, Rows = 2, Features = { Row, Row } }],
        "/cascade.serving.v1.Serving/SetTrafficPolicy" => [new Cascade.Contracts.Serving.V1.SetTrafficPolicyRequest { Model = LiveHost.Model, CanaryPercent = 10, ValidateOnly = true }],
        "/cascade.registry.v1.Registry/SetTrafficPolicy" => [new Cascade.Contracts.Registry.V1.SetTrafficPolicyRequest { Model = LiveHost.Model, CanaryPercent = 10, Reason = "fuzz" }],
        "/inference.GRPCInferenceService/ModelInfer" => [Infer(random)],
        "/inference.GRPCInferenceService/ModelMetadata" => [new ModelMetadataRequest { Name = LiveHost.Model }],
        "/inference.GRPCInferenceService/ModelReady" => [new ModelReadyRequest { Name = LiveHost.Model, Version = "1" }],
        "/cascade.training.v1.Training/PutTrainingPolicy" => [new PutTrainingPolicyRequest
        {
            ValidateOnly = random.Next(4) > 0,
            Spec = new TrainingPolicySpec
            {
                Model = "fuzz-policy", Dataset = LiveHost.Dataset, FeatureView = LiveHost.View, Objective = "binary:logistic", Rounds = 3,
                Parameters = { ["max_depth"] = "2" }, ValidationFraction = 0.2, HoldoutFraction = 0.2,
                Triggers = new Triggers { EveryNewLabeledRows = 1_000_000, Debounce = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) },
            },
        }],
        _ => [],
    };

    private static DatasetSpec DatasetSpec(Random random) => new()
    {
        Name = random.Next(3) == 0 ? LiveHost.Dataset : "fuzz-ds-" + random.Next(4), EntityColumn = "device", EventTimeColumn = "ts", LabelColumn = "failed",
        NonFinite = (NonFinitePolicy)random.Next(3),
        Columns =
        {
            new ColumnSpec { Name = "t", Type = ValueType.Float64, Required = true },
            new ColumnSpec { Name = "h", Type = ValueType.Float64 },
            new ColumnSpec { Name = "zone", Type = ValueType.String },
            new ColumnSpec { Name = "on", Type = ValueType.Bool },
            new ColumnSpec { Name = "count", Type = ValueType.Int64 },
        },
    };

    private static IngestRequest Ingest(Random random)
    {
        var request = new IngestRequest { Dataset = LiveHost.Dataset };
        var count = random.Next(1, 6);
        for (var i = 0; i < count; i++) request.Records.Add(LiveHost.SampleRecord(random.Next(1000), DateTimeOffset.UtcNow.AddSeconds(-random.Next(3600))));
        return request;
    }

    private static PredictRequest Predict(Random random)
    {
        var request = new PredictRequest { Model = LiveHost.Model, RequestId = "fuzz" };
        switch (random.Next(3))
        {
            case 0:
                request.Features = new FeatureVector { Values = { Row } };
                break;
            case 1:
                request.Named = new NamedFeatures { Values = { ["f0"] = 1, ["f1"] = 2, ["f2"] = 3 } };
                break;
            default:
                request.EntityId = LiveHost.Entities[random.Next(LiveHost.Entities.Length)];
                break;
        }
        return request;
    }

    private static ModelInferRequest Infer(Random random)
    {
        var request = new ModelInferRequest { ModelName = LiveHost.Model, Id = "fuzz" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 2, 3 } };
        if (random.Next(2) == 0)
        {
            input.Contents = new InferTensorContents { Fp32Contents = { Row, Row } };
        }
        else
        {
            request.RawInputContents.Add(ByteString.CopyFrom([.. Row.Concat(Row).SelectMany(BitConverter.GetBytes)]));
        }
        request.Inputs.Add(input);
        if (random.Next(2) == 0) request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "output" });
        return request;
    }

    private static IReadOnlyList<IMessage> Upload(Random random)
    {
        var data = MessageGenerator.RandomBytes(random, random.Next(1, 300));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
        var half = data.Length / 2;
        return
        [
            new ArtifactUploadChunk { Data = ByteString.CopyFrom(data, 0, half), Offset = 0, TotalSize = data.Length, Sha256 = sha },
            new ArtifactUploadChunk { Data = ByteString.CopyFrom(data, half, data.Length - half), Offset = half, TotalSize = data.Length, Sha256 = sha },
        ];
    }

    /// <summary>Valid OIP v2 REST <c>/infer</c> bodies for the served model (three features).</summary>
    public static string InferJson(Random random) => InferJson(random.Next(InferVariants));

    public const int InferVariants = 6;

    public static string InferJson(int variant) => variant switch
    {
        0 => """{"inputs": [{"name": "input", "shape": [2, 3], "datatype": "FP32", "data": [0.5, -1.25, 2, 1, null, 3]}]}""",
        1 => """{"id": "r1", "inputs": [{"name": "input", "shape": [2, 3], "datatype": "FP32", "data": [[0.5, -1.25, 2], [1, 2, 3]]}], "outputs": [{"name": "output"}]}""",
        2 => """{"inputs": [{"name": "input", "shape": [3], "datatype": "FP64", "data": [1e-3, 2.5, -7]}], "parameters": {}}""",
        3 => """{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "INT32", "data": [1, 2, 3], "parameters": {"binary_data_size": 0}}]}""",
        4 => """{"inputs": [{"datatype": "BOOL", "shape": [1, 3], "name": "input", "data": [true, false, true]}]}""",
        _ => """{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "INT64", "data": [[9007199254740993, -4, 0]]}]}""",
    };
}
