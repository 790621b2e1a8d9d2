using System.Diagnostics.Metrics;

namespace Cascade.EventLog.Handlers;

/// <summary>
/// The event-handler host's instruments on the <c>Cascade.EventLog</c> meter (served on <c>/metrics</c>):
/// <c>cascade.eventlog.handler.failures</c>, <c>cascade.eventlog.dead_lettered</c>, and the size and duration of each batch
/// handled, by group (and topic): the duration against the size tells a consumer bound by round trips (flat) from one bound
/// by work per record (rising), which is what to know when it falls behind.
/// </summary>
public static class EventHandlerMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Cascade.EventLog";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("cascade.eventlog.handler.failures", unit: "{failure}",
        description: "Failed attempts of an event handler (a batch, a single record, a poll or a commit), by consumer group.");

    private static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("cascade.eventlog.dead_lettered", unit: "{record}",
        description: "Records an event handler gave up on and wrote to cascade.deadletter.v1, by consumer group and original topic.");

    private static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>("cascade.eventlog.handler.batch.duration", unit: "ms",
        description: "Time to handle and settle (commit or hold) one non-empty batch, by consumer group.");

    private static readonly Histogram<long> BatchSize = Meter.CreateHistogram<long>("cascade.eventlog.handler.batch.size", unit: "{record}",
        description: "Records in each non-empty batch an event handler was handed, by consumer group.");

    internal static void Handled(string group, int records, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("group", group);
        BatchDuration.Record(elapsed.TotalMilliseconds, tag);
        BatchSize.Record(records, tag);
    }

    internal static void Failed(string group) => Failures.Add(1, new KeyValuePair<string, object?>("group", group));

    internal static void DeadLetter(string group, string topic) =>
        DeadLettered.Add(1, new KeyValuePair<string, object?>("group", group), new KeyValuePair<string, object?>("topic", topic));
}
