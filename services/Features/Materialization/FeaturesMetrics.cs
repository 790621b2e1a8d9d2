using System.Diagnostics.Metrics;

namespace Cascade.Features.Materialization;

/// <summary>
/// Freshness of every record materialized (Ingestion's acceptance → online store) and rebuilds of an online store that
/// lost its data, by feature view, for <c>/metrics</c>.
/// </summary>
internal static class FeaturesMetrics
{
    /// <summary>The service's one meter; the offline retention's instruments (Retention/RetentionMetrics) are on it too.</summary>
    internal static readonly Meter Meter = new("Cascade.Features");

    private static readonly Histogram<double> Freshness = Meter.CreateHistogram(
        "cascade.features.freshness", unit: "ms", description: "Time from Ingestion accepting a record to its features being in the online store.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000] });

    private static readonly Counter<long> Rebuilds = Meter.CreateCounter<long>(
        "cascade.features.online_rebuilds", unit: "{rebuild}", description: "Times a view's vectors were all written again because the online store had lost them (a restart without persistence).");

    public static void OnlineRebuilt(string view) => Rebuilds.Add(1, new KeyValuePair<string, object?>("view", view));

    public static void Record(string view, double milliseconds)
    {
        if (Freshness.Enabled) Freshness.Record(milliseconds, new KeyValuePair<string, object?>("view", view));
    }
}
