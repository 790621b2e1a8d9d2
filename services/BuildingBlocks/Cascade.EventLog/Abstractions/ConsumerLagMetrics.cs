using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Cascade.EventLog.Abstractions;

/// <summary>
/// <c>cascade.eventlog.consumer.lag</c>: for every live consumer of the process, per assigned partition, the records
/// on the log it has not read yet. How far behind Features, Monitoring or Serving's promotion follower are, which no
/// request latency shows. Consumers join when created and leave when disposed; the gauge asks them at scrape time.
/// </summary>
public static class ConsumerLagMetrics
{
    private static readonly Meter Meter = new("Cascade.EventLog");
    private static readonly ConcurrentDictionary<IEventConsumer, string> Consumers = new();

    static ConsumerLagMetrics()
    {
        Meter.CreateObservableGauge("cascade.eventlog.consumer.lag", Observe, unit: "{record}",
            description: "Records on the log a consumer group member has not read yet, by group, topic and partition.");
    }

    public static void Track(IEventConsumer consumer, string groupId) => Consumers[consumer] = groupId;

    public static void Forget(IEventConsumer consumer) => Consumers.TryRemove(consumer, out _);

    private static IEnumerable<Measurement<long>> Observe()
    {
        foreach (var (consumer, group) in Consumers)
        {
            IReadOnlyDictionary<TopicPartition, long> lags;
            try
            {
                lags = consumer.Lag();
            }
            catch (Exception)
            {
                continue; // one consumer closing (or its log) while scraped must not cost the others their figures
            }
            foreach (var (partition, lag) in lags)
            {
                yield return new Measurement<long>(lag,
                    new KeyValuePair<string, object?>("group", group),
                    new KeyValuePair<string, object?>("topic", partition.Topic),
                    new KeyValuePair<string, object?>("partition", partition.Partition));
            }
        }
    }
}
