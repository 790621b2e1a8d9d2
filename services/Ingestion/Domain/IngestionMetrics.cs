using System.Diagnostics.Metrics;

namespace Cascade.Ingestion.Domain;

/// <summary>Records by dataset and outcome (accepted: on the log; rejected: invalid; duplicate: ingested before), for <c>/metrics</c>.</summary>
internal static class IngestionMetrics
{
    private static readonly Meter Meter = new("Cascade.Ingestion");

    private static readonly Counter<long> Records = Meter.CreateCounter<long>("cascade.ingestion.records", unit: "{record}", description: "Records Ingestion answered for, by dataset and outcome.");

    public static void Count(string dataset, long accepted, long rejected, long duplicates)
    {
        if (!Records.Enabled) return;
        Add(dataset, "accepted", accepted);
        Add(dataset, "rejected", rejected);
        Add(dataset, "duplicate", duplicates);
    }

    private static void Add(string dataset, string outcome, long count)
    {
        if (count > 0) Records.Add(count, new KeyValuePair<string, object?>("dataset", dataset), new KeyValuePair<string, object?>("outcome", outcome));
    }
}
