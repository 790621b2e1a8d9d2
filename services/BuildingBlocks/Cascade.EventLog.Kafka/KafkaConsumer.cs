using Cascade.EventLog.Abstractions;
using Confluent.Kafka;
using TopicPartition = Cascade.EventLog.Abstractions.TopicPartition;

namespace Cascade.EventLog.Kafka;

/// <summary>
/// A consumer-group member on Kafka: auto-commit off, so offsets move only when the caller commits what it
/// processed; a partition lost in a rebalance is read by its new owner from the group's last commit (at-least-once).
/// </summary>
internal sealed class KafkaConsumer : IEventConsumer
{
    /// <summary>Longest single blocking poll, so cancellation is noticed promptly.</summary>
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    private readonly IConsumer<string?, byte[]> _consumer;
    private readonly ConsumerOptions _options;
    private readonly KafkaEventLogOptions _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Collections.Concurrent.BlockingCollection<PollRequest> _polls = new();
    private readonly Thread _poller;
    private int _disposed;

    // Lag is asked from the scrape thread: the native handle must not be disposed under it.
    private readonly Lock _lagGate = new();

    /// <summary>One ConsumeAsync call, handed to the poller thread.</summary>
    private sealed record PollRequest(TimeSpan MaxWait, CancellationToken CancellationToken, TaskCompletionSource<IReadOnlyList<ConsumedRecord>> Result);

    public KafkaConsumer(KafkaEventLogOptions log, ConsumerOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.GroupId);
        if (options.Topics.Count == 0) throw new ArgumentException("Subscribe to at least one topic.");
        foreach (var topic in options.Topics) TopicNames.Validate(topic);
        KafkaNative.EnsureResolver();
        _options = options;
        _log = log;
        var config = new ConsumerConfig(KafkaEventLog.Common(log))
        {
            GroupId = log.Physical(options.GroupId),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = options.StartPosition == StartPosition.Latest ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            SessionTimeoutMs = (int)log.SessionTimeout.TotalMilliseconds,
            // A modern cluster would also take partition.assignment.strategy=cooperative-sticky; 0.9 speaks only range/roundrobin.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
        };
        _consumer = new ConsumerBuilder<string?, byte[]>(config).Build();
        _consumer.Subscribe(options.Topics.Distinct().Select(log.Physical));
        // librdkafka's poll blocks its thread. Every consumer of a process polls nearly all the time, so doing it on
        // thread-pool threads starves the pool (gRPC requests then wait for threads): each consumer has its own.
        _poller = new Thread(PollLoop) { IsBackground = true, Name = $"kafka-consumer {options.GroupId}" };
        _poller.Start();
        ConsumerLagMetrics.Track(this, options.GroupId);
    }

    public IReadOnlyDictionary<TopicPartition, long> Lag()
    {
        var lag = new Dictionary<TopicPartition, long>();
        lock (_lagGate)
        {
            if (_disposed == 1) return lag;
            var unread = new List<Confluent.Kafka.TopicPartition>();
            foreach (var partition in _consumer.Assignment)
            {
                // Both are librdkafka's own knowledge (the high watermark comes with every fetch): no broker round trip.
                var position = _consumer.Position(partition);
                var watermarks = _consumer.GetWatermarkOffsets(partition);
                if (watermarks.High == Offset.Unset) continue;
                if (position == Offset.Unset) unread.Add(partition);
                else lag[Logical(partition)] = Math.Max(0, watermarks.High.Value - position.Value);
            }
            if (unread.Count > 0)
            {
                // Nothing read from these yet (a stuck member looks like this): the group resumes from its commit.
                try
                {
                    foreach (var committed in _consumer.Committed(unread, TimeSpan.FromSeconds(1)))
                    {
                        var watermarks = _consumer.GetWatermarkOffsets(committed.TopicPartition);
                        var start = committed.Offset != Offset.Unset ? committed.Offset.Value
                            : _options.StartPosition == StartPosition.Latest ? watermarks.High.Value
                            : watermarks.Low != Offset.Unset ? watermarks.Low.Value : 0;
                        lag[Logical(committed.TopicPartition)] = Math.Max(0, watermarks.High.Value - start);
                    }
                }
                catch (KafkaException)
                {
                    // the broker did not answer in time: those partitions are left out of this scrape
                }
            }
        }
        return lag;
    }

    private void PollLoop()
    {
        foreach (var request in _polls.GetConsumingEnumerable())
        {
            try
            {
                request.Result.TrySetResult(Poll(request.MaxWait, request.CancellationToken));
            }
            catch (OperationCanceledException)
            {
                request.Result.TrySetCanceled(request.CancellationToken);
            }
            catch (Exception ex)
            {
                request.Result.TrySetException(ex);
            }
        }
    }

    public IReadOnlyCollection<TopicPartition> Assignment =>
        _consumer.Assignment.Select(p => new TopicPartition(_log.Logical(p.Topic), p.Partition.Value)).ToArray();

    public async ValueTask<IReadOnlyList<ConsumedRecord>> ConsumeAsync(TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // The poller thread polls in short slices, so cancellation is prompt.
            var request = new PollRequest(maxWait, cancellationToken, new TaskCompletionSource<IReadOnlyList<ConsumedRecord>>(TaskCreationOptions.RunContinuationsAsynchronously));
            _polls.Add(request, cancellationToken);
            return await request.Result.Task;
        }
        finally
        {
            _gate.Release();
        }
    }

    private TopicPartition Logical(Confluent.Kafka.TopicPartition partition) => new(_log.Logical(partition.Topic), partition.Partition.Value);

    private List<ConsumedRecord> Poll(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var records = new List<ConsumedRecord>();
        var deadline = DateTime.UtcNow + maxWait;
        while (records.Count < _options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Block only until the first record; after that take what is already fetched.
            var remaining = deadline - DateTime.UtcNow;
            var wait = records.Count > 0 ? TimeSpan.Zero : remaining < PollSlice ? remaining : PollSlice;
            if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
            ConsumeResult<string?, byte[]>? result;
            try
            {
                result = _consumer.Consume(wait);
            }
            catch (ConsumeException ex) when (ex.Error.Code == ErrorCode.UnknownTopicOrPart)
            {
                result = null; // subscribed before the topic exists: it appears with the first append
            }
            if (result is null || result.IsPartitionEOF)
            {
                if (records.Count > 0 || DateTime.UtcNow >= deadline) break;
                continue;
            }
            var timestamp = result.Message.Timestamp.Type == TimestampType.NotAvailable
                ? DateTimeOffset.UtcNow // Kafka 0.9 stores no timestamps: the time it was read is the best there is
                : result.Message.Timestamp.UtcDateTime;
            records.Add(new ConsumedRecord(_log.Logical(result.Topic), result.Partition.Value, result.Offset.Value, result.Message.Key, result.Message.Value ?? [], timestamp));
        }
        return records;
    }

    public ValueTask CommitAsync(IReadOnlyList<ConsumedRecord> processed, CancellationToken cancellationToken = default)
    {
        if (processed.Count == 0) return ValueTask.CompletedTask;
        var offsets = processed
            .GroupBy(r => (r.Topic, r.Partition))
            .Select(g => new Confluent.Kafka.TopicPartitionOffset(_log.Physical(g.Key.Topic), new Partition(g.Key.Partition), new Offset(g.Max(r => r.Offset) + 1)))
            .ToArray();
        try
        {
            _consumer.Commit(offsets);
        }
        catch (KafkaException ex)
        {
            // Typically a rebalance took the partition away: its new owner re-reads from the last commit.
            throw new EventLogException($"Committing offsets of group '{_options.GroupId}' failed: {ex.Error.Reason}", ex);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        ConsumerLagMetrics.Forget(this);
        lock (_lagGate)
        {
            // Marked under the gate: a Lag() running now finishes before the handle goes, a later one sees the mark.
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return ValueTask.CompletedTask;
        }
        _polls.CompleteAdding();
        _poller.Join();
        _polls.Dispose();
        // Leave the group cleanly so its partitions are reassigned at once, not after the session timeout.
        try { _consumer.Close(); } catch (KafkaException) { }
        _consumer.Dispose();
        return ValueTask.CompletedTask;
    }
}
