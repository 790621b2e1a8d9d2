namespace Cascade.Contracts.Events;

/// <summary>Topic names: <c>cascade.&lt;area&gt;.&lt;event&gt;.v1</c>, data topics <c>cascade.data.&lt;dataset&gt;.v1</c>.</summary>
public static class Topics
{
    public const string LabelsObserved = "cascade.labels.observed.v1";
    public const string FeaturesMaterialized = "cascade.features.materialized.v1";
    public const string ModelsTrained = "cascade.models.trained.v1";
    public const string ModelsChallenger = "cascade.models.challenger.v1";
    public const string ModelsPromoted = "cascade.models.promoted.v1";
    public const string ModelsRolledBack = "cascade.models.rolledback.v1";

    /// <summary>Traffic policies set in the registry (<c>TrafficPolicyChanged</c>, keyed by model), which every Serving replica follows.</summary>
    public const string ModelsTraffic = "cascade.models.traffic.v1";
    public const string PredictionsLogged = "cascade.predictions.logged.v1";
    public const string DriftDetected = "cascade.monitoring.drift.v1";
    public const string ModelLoadFailed = "cascade.serving.loadfailed.v1";

    /// <summary>Dataset schemas (<c>DatasetRegistered</c>, keyed by dataset), for whoever must know a column's privacy.</summary>
    public const string DatasetsRegistered = "cascade.datasets.registered.v1";

    /// <summary>Feature view versions with each feature's source column (<c>FeatureViewApplied</c>, keyed by view).</summary>
    public const string FeatureViewsApplied = "cascade.features.views.v1";

    /// <summary>Records an event handler gave up on (<c>DeadLettered</c>, keyed by consumer group).</summary>
    public const string DeadLettered = "cascade.deadletter.v1";

    /// <summary>Audited actions (<c>AuditRecorded</c>, keyed by principal), relayed from each process's audit log.</summary>
    public const string Audit = "cascade.audit.v1";

    /// <summary>The data topic of a dataset.</summary>
    public static string Data(string dataset) => $"cascade.data.{dataset}.v1";
}
