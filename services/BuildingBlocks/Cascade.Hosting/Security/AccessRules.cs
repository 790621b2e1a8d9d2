namespace Cascade.Hosting.Security;

/// <summary>
/// The one table of who may call what: every gRPC method Cascade serves (and, through JSON transcoding and gRPC-Web,
/// every REST route and browser call, which reach the same methods) with the least role it needs. A method missing
/// from the table needs <see cref="CascadeRole.Admin"/> (closed by default); a test checks that every served method is here.
/// </summary>
public static class AccessRules
{
    private const string Ingestion = "cascade.ingestion.v1.Ingestion/";
    private const string Features = "cascade.features.v1.Features/";
    private const string Registry = "cascade.registry.v1.Registry/";
    private const string Training = "cascade.training.v1.Training/";
    private const string Serving = "cascade.serving.v1.Serving/";
    private const string Monitoring = "cascade.monitoring.v1.Monitoring/";
    private const string Inference = "inference.GRPCInferenceService/";

    private static readonly AccessRule Read = new(CascadeRole.Reader, CallKind.Read);

    /// <summary>Method full name (<c>package.Service/Method</c>) → rule.</summary>
    public static IReadOnlyDictionary<string, AccessRule> Table { get; } = new Dictionary<string, AccessRule>(StringComparer.Ordinal)
    {
        // Ingestion: producers write records and labels; admins define datasets.
        [Ingestion + "RegisterDataset"] = new(CascadeRole.Admin, CallKind.Mutation, "spec.name"),
        [Ingestion + "GetDataset"] = Read with { TargetField = "name" },
        [Ingestion + "ListDatasets"] = Read,
        [Ingestion + "Ingest"] = new(CascadeRole.Producer, CallKind.Data),
        [Ingestion + "IngestBatch"] = new(CascadeRole.Producer, CallKind.Data, "dataset"),
        [Ingestion + "SubmitLabels"] = new(CascadeRole.Producer, CallKind.Data),

        // Features: online features are entities' data, so reading them needs what predicting needs.
        [Features + "ApplyFeatureView"] = new(CascadeRole.Admin, CallKind.Mutation, "spec.name"),
        [Features + "GetFeatureView"] = Read with { TargetField = "name" },
        [Features + "ListFeatureViews"] = Read,
        [Features + "GetOnlineFeatures"] = new(CascadeRole.Predictor, CallKind.Read, "feature_view"),
        [Features + "GetMaterializationStatus"] = Read with { TargetField = "feature_view" },
        [Features + "EraseEntity"] = new(CascadeRole.Admin, CallKind.Mutation, "entity_id"),

        // Registry: operators move aliases; training workers (services) and admins register versions and artifacts.
        [Registry + "CreateModel"] = new(CascadeRole.Admin, CallKind.Mutation, "name", ModelScoped: true, Services: true),
        [Registry + "GetModel"] = Read with { TargetField = "name", ModelScoped = true },
        [Registry + "ListModels"] = Read,
        [Registry + "RegisterModelVersion"] = new(CascadeRole.Service, CallKind.Mutation, "spec.model", ModelScoped: true),
        [Registry + "GetModelVersion"] = Read with { TargetField = "model", ModelScoped = true },
        [Registry + "ListModelVersions"] = Read with { TargetField = "model", ModelScoped = true },
        [Registry + "GetAlias"] = Read with { TargetField = "model", ModelScoped = true },
        [Registry + "PromoteModelVersion"] = new(CascadeRole.Operator, CallKind.Mutation, "model", ModelScoped: true),
        [Registry + "RollbackModel"] = new(CascadeRole.Operator, CallKind.Mutation, "model", ModelScoped: true),
        // Operators set policies directly; Serving forwards the ones set through its own SetTrafficPolicy.
        [Registry + "SetTrafficPolicy"] = new(CascadeRole.Operator, CallKind.Mutation, "model", ModelScoped: true, Services: true),
        [Registry + "GetAuditLog"] = Read with { TargetField = "model", ModelScoped = true },
        [Registry + "DownloadArtifact"] = new(CascadeRole.Operator, CallKind.Read, "sha256", Services: true),
        [Registry + "UploadArtifact"] = new(CascadeRole.Service, CallKind.Mutation),

        // Training: admins set policies; operators trigger and cancel; workers (services) read job status.
        [Training + "PutTrainingPolicy"] = new(CascadeRole.Admin, CallKind.Mutation, "spec.model", ModelScoped: true),
        [Training + "GetTrainingPolicy"] = Read with { TargetField = "model", ModelScoped = true },
        [Training + "ListTrainingPolicies"] = Read,
        [Training + "TriggerTraining"] = new(CascadeRole.Operator, CallKind.Mutation, "model", ModelScoped: true),
        [Training + "TriggerBatchScoring"] = new(CascadeRole.Operator, CallKind.Mutation, "model", ModelScoped: true),
        [Training + "GetJob"] = Read with { TargetField = "id" },
        [Training + "ListJobs"] = Read with { TargetField = "model", ModelScoped = true },
        [Training + "CancelJob"] = new(CascadeRole.Operator, CallKind.Mutation, "id"),

        // Serving and the Open Inference Protocol: predictors score; operators shift traffic.
        [Serving + "Predict"] = new(CascadeRole.Predictor, CallKind.Read, "model", ModelScoped: true),
        [Serving + "PredictBatch"] = new(CascadeRole.Predictor, CallKind.Read, "model", ModelScoped: true),
        [Serving + "PredictStream"] = new(CascadeRole.Predictor, CallKind.Read, "model", ModelScoped: true),
        [Serving + "Explain"] = new(CascadeRole.Predictor, CallKind.Read, "model", ModelScoped: true),
        [Serving + "GetServingStatus"] = Read,
        [Serving + "SetTrafficPolicy"] = new(CascadeRole.Operator, CallKind.Mutation, "model", ModelScoped: true),
        [Inference + "ServerLive"] = AccessRule.Open,
        [Inference + "ServerReady"] = AccessRule.Open,
        [Inference + "ModelReady"] = new(CascadeRole.Predictor, CallKind.Read, "name", ModelScoped: true),
        [Inference + "ServerMetadata"] = Read,
        [Inference + "ModelMetadata"] = new(CascadeRole.Predictor, CallKind.Read, "name", ModelScoped: true),
        [Inference + "ModelInfer"] = new(CascadeRole.Predictor, CallKind.Read, "model_name", ModelScoped: true),

        // Monitoring: anyone who may read watches alerts; operators acknowledge them.
        [Monitoring + "WatchAlerts"] = Read with { TargetField = "models", ModelScoped = true },
        [Monitoring + "ListAlerts"] = Read with { TargetField = "model", ModelScoped = true },
        [Monitoring + "GetModelHealth"] = Read with { TargetField = "model", ModelScoped = true },
        [Monitoring + "AcknowledgeAlert"] = new(CascadeRole.Operator, CallKind.Mutation, "alert_id"),
        [Monitoring + "GetDriftHistory"] = Read with { TargetField = "model", ModelScoped = true },
        [Monitoring + "GetDistribution"] = Read with { TargetField = "model", ModelScoped = true },

        // HTTP routes that stand for no gRPC method.
        [MetricsScrape] = new(CascadeRole.Reader, CallKind.Read, Services: true),
        // The web console (services/Console): its page asks who it is (open: the answer says only what the caller's own
        // credentials allow, and an unauthenticated page learns it must sign in), and reads the pipeline's figures.
        [ConsoleWhoAmI] = AccessRule.Open,
        ["cascade.pipeline.v1.Pipeline/GetPipelineStatus"] = Read,
    };

    /// <summary>The name the web console's <c>/console/api/whoami</c> is authorized as.</summary>
    public const string ConsoleWhoAmI = "cascade.http/ConsoleWhoAmI";

    /// <summary>The name <c>/metrics</c> is authorized as when <see cref="AuthOptions.ProtectMetrics"/> is set.</summary>
    public const string MetricsScrape = "cascade.http/Metrics";

    /// <summary>The rule for <paramref name="method"/> (<c>/package.Service/Method</c> or without the leading slash).</summary>
    public static AccessRule For(string method)
    {
        var name = method.StartsWith('/') ? method[1..] : method;
        if (Table.TryGetValue(name, out var rule)) return rule;
        // Probes and discovery stay open so load balancers and grpcurl-style tools work without credentials.
        if (name.StartsWith("grpc.health.v1.Health/", StringComparison.Ordinal) || name.StartsWith("grpc.reflection.", StringComparison.Ordinal)) return AccessRule.Open;
        return new AccessRule(CascadeRole.Admin, CallKind.Mutation);
    }
}
