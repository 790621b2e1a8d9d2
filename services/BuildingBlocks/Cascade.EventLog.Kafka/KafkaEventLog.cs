using Cascade.EventLog.Abstractions;
using Confluent.Kafka;

namespace Cascade.EventLog.Kafka;

/// <summary>
/// <see cref="IEventLog"/> on Kafka. Appends are keyed produces with <c>acks=all</c>, awaited until every delivery
/// report is in; the partitioner is murmur2 like Kafka's Java client and the embedded log, so a key lands in the same
/// partition everywhere. Consumers are group members that commit only what the caller says it processed.
/// </summary>
/// <remarks>
/// Everything an event needs (ids, type, trace context, event time) travels inside the envelope in the value:
/// Kafka 0.9 drops record headers and has no timestamps.
/// </remarks>
public sealed class KafkaEventLog : IEventLog
{
    private readonly KafkaEventLogOptions _options;
    private readonly IProducer<string?, byte[]> _producer;
    private readonly Lazy<IConsumer<Ignore, Ignore>> _metadata;

    public KafkaEventLog(KafkaEventLogOptions options)
    {
        KafkaNative.EnsureResolver();
        _options = options;
        _producer = new ProducerBuilder<string?, byte[]>(ProducerConfig(options)).Build();
        // Watermark queries need a consumer handle; one without a group, used for nothing else.
        _metadata = new Lazy<IConsumer<Ignore, Ignore>>(() => new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig(Common(options)) { GroupId = "cascade-metadata", EnableAutoCommit = false }).Build());
    }

    internal static ClientConfig Common(KafkaEventLogOptions options) => new()
    {
        BootstrapServers = options.BootstrapServers,
        ApiVersionRequest = options.ApiVersionRequest,
        BrokerVersionFallback = options.BrokerVersionFallback,
        SocketTimeoutMs = (int)options.RequestTimeout.TotalMilliseconds,
    };

    private static ProducerConfig ProducerConfig(KafkaEventLogOptions options) => new(Common(options))
    {
        Acks = Acks.All,
        Partitioner = Partitioner.Murmur2Random,
        MessageTimeoutMs = (int)options.MessageTimeout.TotalMilliseconds,
        LingerMs = 1,
        // In-order per partition even when a send is retried (no idempotent producer on 0.9).
        MaxInFlight = 1,
        MessageSendMaxRetries = 10,
        RetryBackoffMs = 100,
    };

    public async Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        var existing = await PartitionCountAsync(topic, cancellationToken);
        if (existing != partitions)
        {
            throw new ArgumentException($"Topic '{topic}' has {existing} partitions, not {partitions}: Kafka 0.9 topics are auto-created with the broker's num.partitions; create it with the cluster's tools (kafka-topics --create) instead.");
        }
    }

    public async Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        if (records.Count == 0) return [];
        var deliveries = new Task<DeliveryResult<string?, byte[]>>[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            deliveries[i] = _producer.ProduceAsync(_options.Physical(topic), new Message<string?, byte[]> { Key = records[i].Key, Value = records[i].Value.ToArray() }, cancellationToken);
        }
        try
        {
            var results = await Task.WhenAll(deliveries);
            return results.Select(r => new RecordPosition(topic, r.Partition.Value, r.Offset.Value)).ToArray();
        }
        catch (ProduceException<string?, byte[]> ex)
        {
            throw new EventLogException($"Appending to '{topic}' failed: {ex.Error.Reason}", ex);
        }
    }

    public async Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        var partitions = await PartitionCountAsync(topic, cancellationToken);
        return await Task.Run(() => Enumerable.Range(0, partitions).ToDictionary(
            p => p,
            p => _metadata.Value.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(_options.Physical(topic), p), _options.RequestTimeout).High.Value), cancellationToken);
    }

    public IEventConsumer Subscribe(ConsumerOptions options) => new KafkaConsumer(_options, options);

    /// <summary>Partitions of a topic; asking for its metadata makes a broker with auto-creation create it.</summary>
    internal Task<int> PartitionCountAsync(string topic, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var deadline = DateTime.UtcNow + _options.RequestTimeout;
        using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        while (true)
        {
            var physical = _options.Physical(topic);
            var metadata = admin.GetMetadata(physical, _options.RequestTimeout);
            var found = metadata.Topics.FirstOrDefault(t => t.Topic == physical);
            if (found is not null && found.Error.Code == ErrorCode.NoError && found.Partitions.Count > 0)
            {
                return found.Partitions.Count;
            }
            // Just auto-created: the leader election takes a moment.
            if (DateTime.UtcNow > deadline)
            {
                throw new EventLogException($"Topic '{topic}' is not available: {found?.Error.Reason ?? "no metadata"} (is auto.create.topics.enable on, or was the topic created?).");
            }
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(200);
        }
    }, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _producer.Flush(_options.MessageTimeout);
        _producer.Dispose();
        if (_metadata.IsValueCreated) _metadata.Value.Dispose();
        return ValueTask.CompletedTask;
    }
}
