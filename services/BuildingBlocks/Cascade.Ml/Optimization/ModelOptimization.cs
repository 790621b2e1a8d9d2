using System.Text.Json.Serialization;

namespace Cascade.Ml.Optimization;

/// <summary>
/// The lineage of an optimised artifact (<c>optimization</c> in its manifest): which model it was made from, how, and
/// what it cost on which holdout.
/// </summary>
public sealed record ModelOptimization
{
    /// <summary>SHA-256 of the parent's <c>model.json</c>, as the parent's manifest records it.</summary>
    [JsonPropertyName("parent_model_sha256")] public required string ParentModelSha256 { get; init; }

    /// <summary>SHA-256 of the parent's <c>manifest.json</c> (what its signature covers).</summary>
    [JsonPropertyName("parent_manifest_sha256")] public required string ParentManifestSha256 { get; init; }

    /// <summary>What was done, e.g. <c>drop-rounds+merge-leaves</c>.</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }

    /// <summary>The metric the budget is counted in: auc, rmse or mlogloss.</summary>
    [JsonPropertyName("metric")] public required string Metric { get; init; }

    /// <summary>The most the metric was allowed to get worse.</summary>
    [JsonPropertyName("max_loss")] public required double MaxLoss { get; init; }

    [JsonPropertyName("metric_before")] public required double MetricBefore { get; init; }

    [JsonPropertyName("metric_after")] public required double MetricAfter { get; init; }

    [JsonPropertyName("holdout_rows")] public required int HoldoutRows { get; init; }

    /// <summary>SHA-256 of the holdout file the budget was measured on.</summary>
    [JsonPropertyName("holdout_sha256")] public required string HoldoutSha256 { get; init; }

    [JsonPropertyName("trees_before")] public required int TreesBefore { get; init; }

    [JsonPropertyName("trees_after")] public required int TreesAfter { get; init; }

    [JsonPropertyName("nodes_before")] public required int NodesBefore { get; init; }

    [JsonPropertyName("nodes_after")] public required int NodesAfter { get; init; }

    [JsonPropertyName("leaf_pairs_merged")] public required int LeafPairsMerged { get; init; }
}
