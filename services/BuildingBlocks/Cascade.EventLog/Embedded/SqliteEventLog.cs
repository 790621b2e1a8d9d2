using System.Collections.Concurrent;
using Cascade.EventLog.Abstractions;
using Microsoft.Data.Sqlite;

namespace Cascade.EventLog.Embedded;

/// <summary>
/// The all-in-one deployment's event log: one SQLite file (WAL) holding topics, partitions, records and the
/// committed offsets of consumer groups. Appends go through one writer connection (SQLite has one writer anyway),
/// each batch in one transaction; consumers read through their own connections and are woken by
/// <see cref="AppendSignal"/> as soon as an append commits.
/// </summary>
/// <remarks>
/// Durability: <c>synchronous=NORMAL</c> in WAL mode survives a process crash with every committed append;
/// a power loss may lose the last transactions. One process owns the file (the all-in-one host).
/// </remarks>
public sealed class SqliteEventLog : IEventLog
{
    private readonly EmbeddedEventLogOptions _options;
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, int> _partitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GroupCoordinator> _groups = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _retention;
    private int _roundRobin;

    public SqliteEventLog(EmbeddedEventLogOptions options)
    {
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
                _partitions[reader.GetString(0)] = reader.GetInt32(1);
            }
        }
        _retention = Task.Run(RetainAsync);
    }

    internal AppendSignal Signal { get; } = new();

    public async Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            EnsureTopic(topic, partitions, explicitCount: true);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        if (records.Count == 0)
        {
            return [];
        }
        var positions = new RecordPosition[records.Count];
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var partitions = EnsureTopic(topic, _options.DefaultPartitions, explicitCount: false);
            var ends = ReadEnds(_writer, topic, partitions);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var transaction = _writer.BeginTransaction();
            using var insert = _writer.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO records (topic, partition, offset, key, value, appended_at) VALUES ($t, $p, $o, $k, $v, $a)";
            var pTopic = insert.Parameters.Add("$t", SqliteType.Text);
            var pPartition = insert.Parameters.Add("$p", SqliteType.Integer);
            var pOffset = insert.Parameters.Add("$o", SqliteType.Integer);
            var pKey = insert.Parameters.Add("$k", SqliteType.Text);
            var pValue = insert.Parameters.Add("$v", SqliteType.Blob);
            var pAppended = insert.Parameters.Add("$a", SqliteType.Integer);
            pTopic.Value = topic;
            pAppended.Value = now;
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                var partition = string.IsNullOrEmpty(record.Key)
                    ? (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)partitions)
                    : KafkaPartitioner.Partition(record.Key, partitions);
                var offset = ends[partition]++;
                pPartition.Value = partition;
                pOffset.Value = offset;
                pKey.Value = (object?)record.Key ?? DBNull.Value;
                pValue.Value = record.Value.ToArray();
                insert.ExecuteNonQuery();
                positions[i] = new RecordPosition(topic, partition, offset);
            }
            using var update = _writer.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = "INSERT OR REPLACE INTO partition_ends (topic, partition, next_offset) VALUES ($t, $p, $o)";
            var uTopic = update.Parameters.Add("$t", SqliteType.Text);
            var uPartition = update.Parameters.Add("$p", SqliteType.Integer);
            var uOffset = update.Parameters.Add("$o", SqliteType.Integer);
            uTopic.Value = topic;
            for (var p = 0; p < partitions; p++)
            {
                uPartition.Value = p;
                uOffset.Value = ends[p];
                update.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
        Signal.Pulse();
        return positions;
    }

    public async Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default)
    {
        TopicNames.Validate(topic);
        await using var connection = Open();
        var partitions = _partitions.TryGetValue(topic, out var count) ? count : 0;
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
            foreach (var topic in options.Topics.Distinct().Order(StringComparer.Ordinal))
            {
                TopicNames.Validate(topic);
                var count = EnsureTopic(topic, _options.DefaultPartitions, explicitCount: false);
                partitions.AddRange(Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p)));
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

    private int EnsureTopic(string topic, int partitions, bool explicitCount)
    {
        if (_partitions.TryGetValue(topic, out var existing))
        {
            if (explicitCount && existing != partitions)
            {
                throw new ArgumentException($"Topic '{topic}' exists with {existing} partitions, not {partitions}.");
            }
            return existing;
        }
        Execute(_writer, "INSERT INTO topics (name, partitions) VALUES ($t, $p)", ("$t", topic), ("$p", partitions));
        _partitions[topic] = partitions;
        return partitions;
    }

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
        _stopping.Cancel();
        await _retention;
        await _writeLock.WaitAsync();
        _writer.Dispose();
        _stopping.Dispose();
    }
}
