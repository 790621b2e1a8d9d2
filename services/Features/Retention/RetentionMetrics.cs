using System.Diagnostics.Metrics;
using Cascade.Features.Materialization;

namespace Cascade.Features.Retention;

/// <summary>What offline retention deletes and how its passes end, for <c>/metrics</c>.</summary>
internal static class RetentionMetrics
{
    private static readonly Counter<long> Deleted = FeaturesMetrics.Meter.CreateCounter<long>(
        "cascade.features.offline_rows_deleted", unit: "{row}", description: "Offline-store rows deleted by retention (older than its rules and held by no kept model version).");

    private static readonly Counter<long> Passes = FeaturesMetrics.Meter.CreateCounter<long>(
        "cascade.features.offline_retention_passes", unit: "{pass}", description: "Offline retention passes, by outcome: completed, holds_unavailable (the registry could not be asked: nothing deleted), failed.");

    public static void RowsDeleted(string view, int version, int rows)
    {
        if (rows > 0) Deleted.Add(rows, new KeyValuePair<string, object?>("view", view), new KeyValuePair<string, object?>("view_version", version));
    }

    public static void Pass(string outcome) => Passes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
