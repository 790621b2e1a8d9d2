using System.Globalization;
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

    /// <summary>The prefix of the registry lineage parameters that describe an optimised version.</summary>
    public const string LineagePrefix = "optimization.";

    /// <summary>The lineage parameter naming the registered version an optimised one was made from.</summary>
    public const string ParentVersionParameter = LineagePrefix + "parent_version";

    /// <summary>
    /// This lineage as registry lineage parameters (<c>optimization.parent_version</c>, <c>optimization.method</c>,
    /// <c>optimization.metric</c>, <c>optimization.max_loss</c>, <c>optimization.metric_before</c>/<c>_after</c>, …),
    /// beside the parameters that grew the parent's trees; the signed manifest keeps the full record.
    /// </summary>
    public Dictionary<string, string> ToLineageParameters(int parentVersion)
    {
        static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ParentVersionParameter] = parentVersion.ToString(CultureInfo.InvariantCulture),
            [LineagePrefix + "parent_model_sha256"] = ParentModelSha256,
            [LineagePrefix + "method"] = Method,
            [LineagePrefix + "metric"] = Metric,
            [LineagePrefix + "max_loss"] = Number(MaxLoss),
            [LineagePrefix + "metric_before"] = Number(MetricBefore),
            [LineagePrefix + "metric_after"] = Number(MetricAfter),
            [LineagePrefix + "holdout_rows"] = HoldoutRows.ToString(CultureInfo.InvariantCulture),
            [LineagePrefix + "holdout_sha256"] = HoldoutSha256,
            [LineagePrefix + "trees"] = $"{TreesBefore}->{TreesAfter}",
            [LineagePrefix + "nodes"] = $"{NodesBefore}->{NodesAfter}",
        };
    }
}
