using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Cascade.EventLog.Handlers;

namespace Cascade.Tests.Shared;

/// <summary>
/// Sums the event-handler host's counters (<c>cascade.eventlog.dead_lettered</c>, <c>cascade.eventlog.handler.failures</c>)
/// by consumer group, as <c>/metrics</c> would see them. Compiled into each test project that checks a consumer.
/// </summary>
public sealed class EventHandlerCounters : IDisposable
{
    private readonly ConcurrentDictionary<(string Instrument, string Group), long> _counts = new();
    private readonly MeterListener _listener = new();

    public EventHandlerCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EventHandlerMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "group" && tag.Value is string group) _counts.AddOrUpdate((instrument.Name, group), value, (_, sum) => sum + value);
            }
        });
        _listener.Start();
    }

    /// <summary>What <paramref name="instrument"/> counted for <paramref name="group"/> since this listener started.</summary>
    public long Of(string instrument, string group) => _counts.TryGetValue((instrument, group), out var sum) ? sum : 0;

    public void Dispose() => _listener.Dispose();
}
