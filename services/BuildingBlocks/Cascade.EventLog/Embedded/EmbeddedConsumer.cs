using Cascade.EventLog.Abstractions;
using Microsoft.Data.Sqlite;

namespace Cascade.EventLog.Embedded;

/// <summary>A consumer-group member of the embedded log, reading through its own SQLite connection.</summary>
internal sealed class EmbeddedConsumer : IEventConsumer
{
    /// <summary>Longest wait without looking at the file: catches appends another process made (no in-process signal then).</summary>
    private static readonly TimeSpan FallbackPoll = TimeSpan.FromSeconds(1);

    private readonly SqliteEventLog _log;
    private readonly GroupCoordinator _group;
    private readonly ConsumerOptions _options;
    private readonly IReadOnlyList<TopicPartition> _subscribed;
    private readonly SqliteConnection _connection;
    private readonly RecordReads _reads;
    private readonly Dictionary<TopicPartition, long> _positions = [];
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private int _generation = -1;
    private int _rotation;
    private int _disposed;

    public EmbeddedConsumer(SqliteEventLog log, GroupCoordinator group, ConsumerOptions options, IReadOnlyList<TopicPartition> subscribed)
    {
        _log = log;
        _group = group;
        _options = options;
        _subscribed = subscribed;
        _connection = log.Open();
        _reads = new RecordReads(_connection);
        group.Join(this, subscribed);
        ConsumerLagMetrics.Track(this, options.GroupId);
    }

    public IReadOnlyDictionary<TopicPartition, long> Lag()
    {
        KeyValuePair<TopicPartition, long>[] positions;
        lock (_positions)
        {
            positions = _positions.ToArray();
        }
        if (positions.Length == 0 || _disposed == 1) return new Dictionary<TopicPartition, long>();
        // Its own connection: the consumer's is in use by a read at any moment.
        using var connection = _log.Open();
        var lag = new Dictionary<TopicPartition, long>();
        foreach (var topic in positions.GroupBy(p => p.Key.Topic))
        {
            var ends = SqliteEventLog.ReadEnds(connection, topic.Key, topic.Max(p => p.Key.Partition) + 1);
            foreach (var (partition, position) in topic) lag[partition] = Math.Max(0, ends[partition.Partition] - position);
        }
        return lag;
    }

    public IReadOnlyCollection<TopicPartition> Assignment
    {
        get
        {
            lock (_positions)
            {
                return _positions.Keys.ToArray();
            }
        }
    }

    public async ValueTask<IReadOnlyList<ConsumedRecord>> ConsumeAsync(TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        var deadline = DateTime.UtcNow + maxWait;
        await _readLock.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                // Take the signal before looking, so an append that commits in between still wakes us.
                var appended = _log.Signal.Current;
                RefreshAssignment();
                var records = ReadAvailable();
                if (records.Count > 0)
                {
                    return records;
                }
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    return [];
                }
                await Task.WhenAny(appended, Task.Delay(remaining < FallbackPoll ? remaining : FallbackPoll, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            _readLock.Release();
        }
    }

    public async ValueTask CommitAsync(IReadOnlyList<ConsumedRecord> processed, CancellationToken cancellationToken = default)
    {
        if (processed.Count == 0)
        {
            return;
        }
        var next = processed
            .GroupBy(r => new TopicPartition(r.Topic, r.Partition))
            .Select(g => new TopicPartitionOffset(g.Key.Topic, g.Key.Partition, g.Max(r => r.Offset) + 1));
        await _log.CommitAsync(_options.GroupId, next, cancellationToken);
    }

    private void RefreshAssignment()
    {
        var (generation, assigned) = _group.AssignmentOf(this);
        if (generation == _generation)
        {
            return;
        }
        _generation = generation;
        lock (_positions)
        {
            _positions.Clear();
            foreach (var partition in assigned)
            {
                // A partition gained in a rebalance resumes from the group's last commit: what the previous
                // owner read but did not commit is delivered again (at-least-once).
                _positions[partition] = StartOffset(partition);
            }
        }
    }

    private long StartOffset(TopicPartition partition)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT offset FROM group_offsets WHERE group_id = $g AND topic = $t AND partition = $p";
        command.Parameters.AddWithValue("$g", _options.GroupId);
        command.Parameters.AddWithValue("$t", partition.Topic);
        command.Parameters.AddWithValue("$p", partition.Partition);
        if (command.ExecuteScalar() is long committed)
        {
            return committed;
        }
        if (_options.StartPosition == StartPosition.Latest)
        {
            var ends = SqliteEventLog.ReadEnds(_connection, partition.Topic, partition.Partition + 1);
            return ends[partition.Partition];
        }
        return 0;
    }

    /// <summary>
    /// Reads what is available, fairly: every assigned partition first gets an equal share of the batch (starting
    /// from a partition that rotates between calls), then left-over room goes to partitions with more to give.
    /// Filling the batch from the first partition onwards would starve the last ones for as long as producers keep
    /// the first ones busy (Kafka's fetcher is fair across partitions too).
    /// </summary>
    private List<ConsumedRecord> ReadAvailable()
    {
        var records = new List<ConsumedRecord>();
        KeyValuePair<TopicPartition, long>[] positions;
        lock (_positions)
        {
            positions = _positions.ToArray();
        }
        if (positions.Length == 0)
        {
            return records;
        }
        var first = (int)((uint)_rotation++ % (uint)positions.Length);
        var share = Math.Max(1, _options.MaxBatchSize / positions.Length);
        var exhausted = new bool[positions.Length];
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < positions.Length; i++)
            {
                var index = (first + i) % positions.Length;
                var room = _options.MaxBatchSize - records.Count;
                if (room <= 0)
                {
                    return records;
                }
                if (exhausted[index])
                {
                    continue;
                }
                var wanted = pass == 0 ? Math.Min(share, room) : room;
                var (topicPartition, position) = positions[index];
                // At the tail the records just committed are in memory; behind it (or another process's), in the file.
                var read = _log.Tail.Read(topicPartition.Topic, topicPartition.Partition, position, wanted, records, out var last);
                if (read < 0) read = _reads.Read(topicPartition.Topic, topicPartition.Partition, position, wanted, records, out last);
                exhausted[index] = read < wanted;
                positions[index] = new(topicPartition, last + 1);
                lock (_positions)
                {
                    if (_positions.ContainsKey(topicPartition))
                    {
                        _positions[topicPartition] = last + 1;
                    }
                }
            }
        }
        return records;
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            ConsumerLagMetrics.Forget(this);
            _group.Leave(this, _subscribed);
            _reads.Dispose();
            _connection.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
