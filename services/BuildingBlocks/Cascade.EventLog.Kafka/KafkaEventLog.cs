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
    // Partition counts by topic: asking costs a metadata round trip, and a topic's count only changes when an
    // operator adds partitions, so it is asked again after a minute.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Partitions, DateTime AskedAt)> _partitions = new();
    private static readonly TimeSpan PartitionCountLifetime = TimeSpan.FromMinutes(1);

    public KafkaEventLog(KafkaEventLogOptions options)
    {
        KafkaNative.EnsureResolver();
        _options = options;
        _producer = new ProducerBuilder<string?, byte[]>(ProducerConfig(options)).Build();
        // Watermark queries need a consumer handle; one without a group, used for nothing else.
        _metadata = new Lazy<IConsumer<Ignore, Ignore>>(() => new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig(Common(options)) { GroupId = "cascade-metadata", EnableAutoCommit = false }).Build());
    }

    internal static ClientConfig Common(KafkaEventLogOptions options)
    {
        var config = new ClientConfig
        {
            BootstrapServers = options.BootstrapServers,
            SocketTimeoutMs = (int)options.RequestTimeout.TotalMilliseconds,
        };
        if (!options.ApiVersionRequest)
        {
            // Only for brokers older than 0.10 (the local 0.9): librdkafka 2.x warns at every client's creation that
            // both are deprecated and that 3.x drops such brokers. A modern cluster gets librdkafka's defaults and no warning.
            config.ApiVersionRequest = false;
            config.BrokerVersionFallback = options.BrokerVersionFallback;
        }
        KafkaSecurity.Apply(options, config);
        return config;
    }

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

    public Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        if (records.Count == 0) return Task.FromResult<IReadOnlyList<RecordPosition>>([]);
        // Every record is queued in librdkafka before this returns, so appends keep the order they were called in;
        // one completion for the batch, fed by the delivery reports (a task per record costs more than the send).
        var batch = new PendingAppend(topic, records.Count);
        var physical = _options.Physical(topic);
        try
        {
            for (var i = 0; i < records.Count; i++)
            {
                var index = i;
                _producer.Produce(physical, new Message<string?, byte[]> { Key = records[i].Key, Value = Bytes(records[i].Value) }, report => batch.Report(index, report));
            }
        }
        catch (ProduceException<string?, byte[]> ex)
        {
            batch.Fail(ex.Error.Reason);
        }
        return cancellationToken.CanBeCanceled ? batch.Task.WaitAsync(cancellationToken) : batch.Task;
    }

    /// <summary>
    /// The array behind <paramref name="value"/> when it is a whole one, else a copy. Lending the caller's array is
    /// safe: <c>Produce</c> copies the payload into librdkafka before it returns.
    /// </summary>
    private static byte[] Bytes(ReadOnlyMemory<byte> value) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    /// <summary>The delivery reports of one append, gathered into one task.</summary>
    private sealed class PendingAppend(string topic, int count)
    {
        private readonly RecordPosition[] _positions = new RecordPosition[count];
        private readonly TaskCompletionSource<IReadOnlyList<RecordPosition>> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = count;
        private string? _error;

        public Task<IReadOnlyList<RecordPosition>> Task => _result.Task;

        public void Report(int index, DeliveryReport<string?, byte[]> report)
        {
            if (report.Error.IsError) Volatile.Write(ref _error, report.Error.Reason);
            else _positions[index] = new RecordPosition(topic, report.Partition.Value, report.Offset.Value);
            if (Interlocked.Decrement(ref _remaining) == 0) Finish();
        }

        /// <summary>Queueing failed part-way (queue full, fatal error): what was queued still reports.</summary>
        public void Fail(string reason)
        {
            Volatile.Write(ref _error, reason);
            _result.TrySetException(new EventLogException($"Appending to '{topic}' failed: {reason}"));
        }

        private void Finish()
        {
            if (Volatile.Read(ref _error) is { } error) _result.TrySetException(new EventLogException($"Appending to '{topic}' failed: {error}"));
            else _result.TrySetResult(_positions);
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
    internal async Task<int> PartitionCountAsync(string topic, CancellationToken cancellationToken)
    {
        if (_partitions.TryGetValue(topic, out var known) && DateTime.UtcNow - known.AskedAt < PartitionCountLifetime) return known.Partitions;
        var partitions = await AskPartitionCountAsync(topic, cancellationToken);
        _partitions[topic] = (partitions, DateTime.UtcNow);
        return partitions;
    }

    private Task<int> AskPartitionCountAsync(string topic, CancellationToken cancellationToken) => Task.Run(() =>
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
