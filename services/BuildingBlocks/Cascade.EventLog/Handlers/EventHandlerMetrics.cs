using System.Diagnostics.Metrics;

namespace Cascade.EventLog.Handlers;

/// <summary>
/// The event-handler host's instruments on the <c>Cascade.EventLog</c> meter (served on <c>/metrics</c>):
/// <c>cascade.eventlog.handler.failures</c> and <c>cascade.eventlog.dead_lettered</c>, by group (and topic).
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

    internal static void Failed(string group) => Failures.Add(1, new KeyValuePair<string, object?>("group", group));

    internal static void DeadLetter(string group, string topic) =>
        DeadLettered.Add(1, new KeyValuePair<string, object?>("group", group), new KeyValuePair<string, object?>("topic", topic));
}
