using System.Runtime.InteropServices;
using Cascade.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cascade.Storage.OfflineStore;

/// <summary>The embedded offline store: feature rows in SQLite, keyed by their source (partition, offset), so redelivered rows are ignored.</summary>
public sealed partial class SqliteOfflineStore : IOfflineStore, IOfflineRetentionStore, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public SqliteOfflineStore(string path)
    {
        _connection = SqliteFiles.OpenDurable(path);
        using var command = _connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS feature_rows (
              view TEXT NOT NULL, version INTEGER NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
              entity TEXT NOT NULL, event_time INTEGER NOT NULL, feature_values BLOB NOT NULL, label REAL,
              PRIMARY KEY (view, version, partition, offset)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS feature_rows_by_entity ON feature_rows (view, entity);
            CREATE TABLE IF NOT EXISTS retention_counts (
              view TEXT NOT NULL, version INTEGER NOT NULL, labeled_deleted INTEGER NOT NULL,
              PRIMARY KEY (view, version)) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }

    public async Task<int> AppendAsync(string featureView, int viewVersion, IReadOnlyList<OfflineFeatureRow> rows, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var addedLabeled = 0;
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR IGNORE INTO feature_rows VALUES ($v, $n, $p, $o, $e, $t, $f, $l)";
            command.Parameters.AddWithValue("$v", featureView);
            command.Parameters.AddWithValue("$n", viewVersion);
            var partition = command.Parameters.Add("$p", SqliteType.Integer);
            var offset = command.Parameters.Add("$o", SqliteType.Integer);
            var entity = command.Parameters.Add("$e", SqliteType.Text);
            var time = command.Parameters.Add("$t", SqliteType.Integer);
            var values = command.Parameters.Add("$f", SqliteType.Blob);
            var label = command.Parameters.Add("$l", SqliteType.Real);
            foreach (var row in rows)
            {
                partition.Value = row.Partition;
                offset.Value = row.Offset;
                entity.Value = row.EntityId;
                time.Value = row.EventTime.UtcTicks;
                values.Value = MemoryMarshal.AsBytes(row.Values.AsSpan()).ToArray();
                label.Value = row.Label is { } l ? l : DBNull.Value;
                if (command.ExecuteNonQuery() == 1 && row.Label is not null) addedLabeled++;
            }
            transaction.Commit();
            return addedLabeled;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task<IReadOnlyList<OfflineFeatureRow>> ReadAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, CancellationToken cancellationToken = default) =>
        ReadRowsAsync(featureView, viewVersion, watermark, labeledOnly, limit: null, cancellationToken);

    /// <summary>
    /// One query per partition for its <paramref name="limit"/> latest rows (SQLite keeps a top-N sorter, not the rows),
    /// then the latest <paramref name="limit"/> of those: at most partitions × limit rows are ever materialized.
    /// </summary>
    public async Task<IReadOnlyList<OfflineFeatureRow>> ReadLatestAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var rows = await ReadRowsAsync(featureView, viewVersion, watermark, labeledOnly, limit, cancellationToken);
        return OfflineRowOrder.Latest(rows, limit);
    }

    /// <summary>Each partition's rows below the watermark in offset order, or its <paramref name="limit"/> latest by event time.</summary>
    private async Task<IReadOnlyList<OfflineFeatureRow>> ReadRowsAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, int? limit, CancellationToken cancellationToken)
    {
        var rows = new List<OfflineFeatureRow>();
        if (limit == 0) return rows;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT partition, offset, entity, event_time, feature_values, label FROM feature_rows WHERE view = $v AND version = $n AND partition = $p AND offset < $o"
                + (labeledOnly ? " AND label IS NOT NULL" : string.Empty)
                + (limit is null ? " ORDER BY offset" : " ORDER BY event_time DESC, offset DESC LIMIT $l");
            command.Parameters.AddWithValue("$v", featureView);
            command.Parameters.AddWithValue("$n", viewVersion);
            if (limit is { } n) command.Parameters.AddWithValue("$l", n);
            var partition = command.Parameters.Add("$p", SqliteType.Integer);
            var end = command.Parameters.Add("$o", SqliteType.Integer);
            foreach (var (p, o) in watermark.OrderBy(w => w.Key))
            {
                partition.Value = p;
                end.Value = o;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    rows.Add(new OfflineFeatureRow(
                        reader.GetString(2),
                        new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                        reader.GetInt32(0),
                        reader.GetInt64(1),
                        MemoryMarshal.Cast<byte, double>((byte[])reader.GetValue(4)).ToArray(),
                        reader.IsDBNull(5) ? null : reader.GetDouble(5)));
                }
            }
            return rows;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<long> CountLabeledAsync(string featureView, int viewVersion, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            // Labeled rows retention deleted still count (retention_counts): see IOfflineStore.CountLabeledAsync.
            command.CommandText = """
                SELECT (SELECT COUNT(*) FROM feature_rows WHERE view = $v AND version = $n AND label IS NOT NULL)
                     + COALESCE((SELECT labeled_deleted FROM retention_counts WHERE view = $v AND version = $n), 0)
                """;
            command.Parameters.AddWithValue("$v", featureView);
            command.Parameters.AddWithValue("$n", viewVersion);
            return (long)command.ExecuteScalar()!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<int> DeleteEntityAsync(string featureView, string entityId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM feature_rows WHERE view = $v AND entity = $e";
            command.Parameters.AddWithValue("$v", featureView);
            command.Parameters.AddWithValue("$e", entityId);
            return command.ExecuteNonQuery();
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _connection.Dispose();
}
