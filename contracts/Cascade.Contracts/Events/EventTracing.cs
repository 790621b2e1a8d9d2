using System.Diagnostics;

namespace Cascade.Contracts.Events;

/// <summary>
/// Continues a trace across the event log. Kafka 0.9 has no record headers, so the W3C <c>traceparent</c> travels in
/// each event's envelope (set from <see cref="Activity.Current"/> when the event is written); a consumer starts its
/// span from it here. Nothing is created unless a listener (the host's OpenTelemetry tracing) wants the spans.
/// </summary>
public static class EventTracing
{
    /// <summary>The source of every consume span: <c>Cascade.Events</c>.</summary>
    public static readonly ActivitySource Source = new("Cascade.Events");

    /// <summary>A consumer span for one event, a child of the span that wrote it (a new trace if it carried none).</summary>
    public static Activity? StartConsume(string name, string traceparent) =>
        Source.HasListeners()
            ? Source.StartActivity(name, ActivityKind.Consumer, ActivityContext.TryParse(traceparent, null, out var parent) ? parent : default)
            : null;

    /// <summary>
    /// One span for a batch of events, linked to the span that wrote each of them (OpenTelemetry's convention for
    /// batch processing: a batch has many parents, so they are links, not a parent).
    /// </summary>
    public static Activity? StartBatch(string name, IEnumerable<string> traceparents, DateTimeOffset startTime = default)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var links = new List<ActivityLink>();
        foreach (var traceparent in traceparents)
        {
            if (ActivityContext.TryParse(traceparent, null, out var context) && !links.Exists(l => l.Context == context))
            {
                links.Add(new ActivityLink(context));
            }
        }
        return Source.StartActivity(name, ActivityKind.Consumer, parentContext: default, links: links, startTime: startTime);
    }
}
