using System.Collections.Concurrent;
using Cascade.EventLog.Abstractions;
using Microsoft.Data.Sqlite;

namespace Cascade.EventLog.Embedded;

/// <summary>
/// The all-in-one deployment's event log: one SQLite file (WAL) holding topics, partitions, records and the
/// committed offsets of consumer groups. Appends go through one writer connection (SQLite has one writer anyway), in
/// transactions of at most <see cref="EmbeddedEventLogOptions.MaxRecordsPerTransaction"/> records; consumers read
/// through their own connections and are woken by <see cref="AppendSignal"/> as soon as a transaction commits.
/// </summary>
/// <remarks>
/// Durability: <c>synchronous=NORMAL</c> in WAL mode survives a process crash with every committed append;
/// a power loss may lose the last transactions. One process owns the file (the all-in-one host).
/// Fairness: the write lock is held for one transaction at a time, and appends keep their call order per partition
/// (<see cref="AppendOrder"/>), so a huge batch delays other callers' appends by one transaction, not by the batch.
/// </remarks>
public sealed class SqliteEventLog : IEventLog
{
    private readonly EmbeddedEventLogOptions _options;
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly AppendStatements _statements;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GroupCoordinator> _groups = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _retention;
    private int _roundRobin;
    private int _disposing;
    private volatile bool _disposed;

    // Under the write lock: the file's data_version when last looked, and how often another connection changed it.
    private long _dataVersion;
    private long _endsGeneration;

    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is out of range.</exception>
    public SqliteEventLog(EmbeddedEventLogOptions options)
    {
        options.Validate();
        _options = options;
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.Path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        _connectionString = new SqliteConnectionStringBuilder { DataSource = options.Path, Pooling = false, DefaultTimeout = 30 }.ToString();
        _writer = Open();
        Execute(_writer, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS partition_ends (topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL, PRIMARY KEY (topic, partition)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS records (topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, key TEXT, value BLOB NOT NULL, appended_at INTEGER NOT NULL, PRIMARY KEY (topic, partition, offset)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS group_offsets (group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, PRIMARY KEY (group_id, topic, partition)) WITHOUT ROWID;
            """);
        using (var command = _writer.CreateCommand())
        {
            command.CommandText = "SELECT name, partitions FROM topics";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var name = reader.GetString(0);
                _topics[name] = new TopicState(name, reader.GetInt32(1), stored: true);
            }
        }
        _statements = new AppendStatements(_writer);
        Tail = new TailCache(options.TailRecordsPerPartition, options.TailBytesPerPartition);
        _dataVersion = _statements.DataVersion();
        _retention = Task.Run(RetainAsync);
    }

    internal AppendSignal Signal { get; } = new();

    /// <summary>The records this log committed last, for consumers reading at the tail.</summary>
    internal TailCache Tail { get; }

    /// <summary>
    /// Called after each transaction of an append commits, outside the write lock, with the topic, the records of the
    /// append written so far and its size; the append goes on when the returned task completes. Tests hold a large
    /// append between two of its transactions with it.
    /// </summary>
    internal Func<string, int, int, ValueTask>? TransactionCommitted { get; set; }

    public async Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var state = TopicFor(topic, partitions);
        if (state.Partitions != partitions)
        {
            throw new ArgumentException($"Topic '{topic}' exists with {state.Partitions} partitions, not {partitions}.");
        }
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Store(state);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <remarks>
    /// The append's place in each partition is fixed before this returns its task: appends called one after another
    /// keep that order per partition even while the first is still being written (as a Kafka producer's sends do).
    /// An append of more than one transaction is written in the background of the call and may be interleaved, at
    /// transaction boundaries, with appends to other partitions and topics. Until its first transaction commits it can
    /// be cancelled and leaves nothing; after that it runs to its end, so a cancelled call never leaves part of a batch.
    /// A failure part-way (disk full) leaves the transactions committed before it, as a Kafka append may.
    /// </remarks>
    public async Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        if (records.Count == 0)
        {
            return [];
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
        var state = TopicFor(topic, _options.DefaultPartitions);
        var queued = state.Order.Enqueue(PartitionsOf(records, state.Partitions));
        try
        {
            var positions = new RecordPosition[records.Count];
            var written = 0;
            var end = TransactionEnd(records, 0);
            if (end < records.Count)
            {
                // Queued; the caller goes on (Ingestion queues batches under a lock of its own) while this is written.
                await Task.Yield();
            }
            while (true)
            {
                var cancellation = written == 0 ? cancellationToken : CancellationToken.None;
                await state.Order.WaitTurnAsync(queued, written, end, cancellation);
                await _writeLock.WaitAsync(cancellation);
                try
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    WriteTransaction(state, records, queued.PartitionOf, written, end, positions);
                }
                finally
                {
                    _writeLock.Release();
                }
                state.Order.Written(queued, written, end);
                Signal.Pulse();
                written = end;
                if (TransactionCommitted is { } committed)
                {
                    await committed(topic, written, records.Count);
                }
                if (written == records.Count)
                {
                    return positions;
                }
                end = TransactionEnd(records, written);
                // Other appends get the writer (and this thread) before the next transaction, even those not waiting yet.
                await Task.Yield();
            }
        }
        finally
        {
            state.Order.Leave(queued);
        }
    }

    /// <summary>One transaction: records <c>[from, to)</c> numbered from the partitions' ends, inserted, and the new ends stored.</summary>
    private void WriteTransaction(TopicState topic, IReadOnlyList<OutgoingRecord> records, int[] partitionOf, int from, int to, RecordPosition[] positions)
    {
        var appendedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _statements.Begin();
        try
        {
            if (!topic.Stored)
            {
                StoreRow(topic);
            }
            var ends = EndsOf(topic);
            for (var i = from; i < to; i++)
            {
                var partition = partitionOf[i];
                positions[i] = new RecordPosition(topic.Name, partition, ends[partition]++);
            }
            _statements.Insert(topic.Name, records, positions, from, to, appendedAt);
            for (var i = from; i < to; i++)
            {
                // Once per partition: at its last record of this transaction.
                var (_, partition, offset) = positions[i];
                if (offset + 1 == ends[partition])
                {
                    _statements.SaveEnd(topic.Name, partition, offset + 1);
                }
            }
            _statements.Commit();
            topic.Stored = true;
        }
        catch
        {
            _statements.Rollback();
            // The ends were advanced in memory for a transaction that did not commit: read them again next time.
            topic.Ends = null;
            throw;
        }
        // Only what committed, and before the signal wakes consumers: they find it in memory.
        Tail.Add(topic.Name, records, positions, from, to, appendedAt);
    }

    /// <summary>The topic's partition ends, from memory unless another connection wrote to the file since they were read.</summary>
    private long[] EndsOf(TopicState topic)
    {
        var version = _statements.DataVersion();
        if (version != _dataVersion)
        {
            _dataVersion = version;
            _endsGeneration++;
        }
        if (topic.Ends is null || topic.EndsGeneration != _endsGeneration)
        {
            topic.Ends = ReadEnds(_writer, topic.Name, topic.Partitions);
            topic.EndsGeneration = _endsGeneration;
        }
        return topic.Ends;
    }

    /// <summary>The partition of each record: Kafka's for a key, round-robin without one.</summary>
    private int[] PartitionsOf(IReadOnlyList<OutgoingRecord> records, int partitions)
    {
        var partitionOf = new int[records.Count];
        for (var i = 0; i < partitionOf.Length; i++)
        {
            var key = records[i].Key;
            partitionOf[i] = string.IsNullOrEmpty(key)
                ? (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)partitions)
                : KafkaPartitioner.Partition(key, partitions);
        }
        return partitionOf;
    }

    /// <summary>Where the transaction starting at record <paramref name="from"/> ends: at the record or byte limit, with at least one record.</summary>
    private int TransactionEnd(IReadOnlyList<OutgoingRecord> records, int from)
    {
        var end = from;
        var bytes = 0L;
        var limit = Math.Min(records.Count, from + _options.MaxRecordsPerTransaction);
        while (end < limit)
        {
            bytes += records[end].Value.Length;
            if (bytes > _options.MaxBytesPerTransaction && end > from)
            {
                break;
            }
            end++;
        }
        return end;
    }

    public async Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        await using var connection = Open();
        var partitions = _topics.TryGetValue(topic, out var state) ? state.Partitions : 0;
        var ends = ReadEnds(connection, topic, partitions);
        return Enumerable.Range(0, partitions).ToDictionary(p => p, p => ends[p]);
    }

    public IEventConsumer Subscribe(ConsumerOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.GroupId);
        if (options.Topics.Count == 0)
        {
            throw new ArgumentException("Subscribe to at least one topic.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        var partitions = new List<TopicPartition>();
        _writeLock.Wait();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var topic in options.Topics.Distinct().Order(StringComparer.Ordinal))
            {
                TopicNames.Validate(topic);
                var state = TopicFor(topic, _options.DefaultPartitions);
                Store(state);
                partitions.AddRange(Enumerable.Range(0, state.Partitions).Select(p => new TopicPartition(topic, p)));
            }
        }
        finally
        {
            _writeLock.Release();
        }
        var group = _groups.GetOrAdd(options.GroupId, _ => new GroupCoordinator());
        return new EmbeddedConsumer(this, group, options, partitions);
    }

    internal SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return connection;
    }

    internal async Task CommitAsync(string groupId, IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _writer.BeginTransaction();
            using var command = _writer.CreateCommand();
            command.Transaction = transaction;
            // MAX: a late commit of an older batch never moves the group backwards.
            command.CommandText = """
                INSERT INTO group_offsets (group_id, topic, partition, offset) VALUES ($g, $t, $p, $o)
                ON CONFLICT (group_id, topic, partition) DO UPDATE SET offset = MAX(offset, excluded.offset)
                """;
            var g = command.Parameters.Add("$g", SqliteType.Text);
            var t = command.Parameters.Add("$t", SqliteType.Text);
            var p = command.Parameters.Add("$p", SqliteType.Integer);
            var o = command.Parameters.Add("$o", SqliteType.Integer);
            g.Value = groupId;
            foreach (var offset in offsets)
            {
                t.Value = offset.Topic;
                p.Value = offset.Partition;
                o.Value = offset.Offset;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// The topic, made with <paramref name="partitions"/> if this is the first time it is named. It exists from here on
    /// (its count fixed, its appends ordered) and is stored by the first write under the lock.
    /// </summary>
    private TopicState TopicFor(string topic, int partitions) =>
        _topics.GetOrAdd(topic, static (name, count) => new TopicState(name, count, stored: false), partitions);

    /// <summary>Stores the topic's row if it is not in the file yet; under the write lock.</summary>
    private void Store(TopicState topic)
    {
        if (!topic.Stored)
        {
            StoreRow(topic);
            topic.Stored = true;
        }
    }

    private void StoreRow(TopicState topic) =>
        Execute(_writer, "INSERT INTO topics (name, partitions) VALUES ($t, $p)", ("$t", topic.Name), ("$p", topic.Partitions));

    internal static long[] ReadEnds(SqliteConnection connection, string topic, int partitions)
    {
        var ends = new long[partitions];
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT partition, next_offset FROM partition_ends WHERE topic = $t";
        command.Parameters.AddWithValue("$t", topic);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var partition = reader.GetInt32(0);
            if (partition < partitions)
            {
                ends[partition] = reader.GetInt64(1);
            }
        }
        return ends;
    }

    internal static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        command.ExecuteNonQuery();
    }

    /// <summary>Deletes records past the retention limits. Offsets are never reused: partition ends are kept apart.</summary>
    internal async Task ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_options.RetentionAge is { } age)
            {
                Execute(_writer, "DELETE FROM records WHERE appended_at < $cutoff", ("$cutoff", DateTimeOffset.UtcNow.Add(-age).ToUnixTimeMilliseconds()));
            }
            if (_options.RetentionRecordsPerPartition is { } keep)
            {
                Execute(_writer, """
                    DELETE FROM records WHERE EXISTS (
                      SELECT 1 FROM partition_ends e
                      WHERE e.topic = records.topic AND e.partition = records.partition AND records.offset < e.next_offset - $keep)
                    """, ("$keep", keep));
            }
            Tail.Clear();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task RetainAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                await Task.Delay(_options.RetentionInterval, _stopping.Token);
                await ApplyRetentionAsync(_stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 1)
        {
            return;
        }
        _stopping.Cancel();
        await _retention;
        await _writeLock.WaitAsync();
        try
        {
            _disposed = true;
            _statements.Dispose();
            _writer.Dispose();
        }
        finally
        {
            // Appends still queued (a large one between two transactions) find the log disposed instead of waiting forever.
            _writeLock.Release();
        }
        _stopping.Dispose();
    }
}
