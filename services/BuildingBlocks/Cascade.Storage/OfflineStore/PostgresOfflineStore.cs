using Npgsql;
using NpgsqlTypes;

namespace Cascade.Storage.OfflineStore;

/// <summary>
/// The offline store in PostgreSQL, for the distributed deployment: Features writes and any number of training
/// workers read over the network, where a SQLite file on a shared volume would be unsafe (its WAL needs shared memory
/// that network file systems do not give). Rows are keyed by (view, version, partition, offset) as in
/// <see cref="SqliteOfflineStore"/>: a batch is bulk-loaded with binary COPY into a transaction-scoped staging table and
/// moved with <c>INSERT … ON CONFLICT DO NOTHING</c>, so a redelivered row is neither stored nor counted twice, also
/// when two writers race (the loser of each key waits for the winner's commit and skips it).
/// Its tables (<c>offline_rows</c>, <c>offline_retention_counts</c>, <c>offline_schema_migrations</c>) share a database with the registry's without
/// meeting them; numbered migrations are applied at start under an advisory lock of their own.
/// </summary>
public sealed partial class PostgresOfflineStore : IOfflineStore, IOfflineRetentionStore, IDisposable, IAsyncDisposable
{
    /// <summary>Migrations in order; a new schema change is a new entry, never an edit of an old one.</summary>
    private static readonly string[] Migrations =
    [
        // event_ticks: DateTimeOffset.UtcTicks, exact (timestamptz would round to microseconds and change the row).
        """
        CREATE TABLE offline_rows (view TEXT NOT NULL, version INTEGER NOT NULL, source_partition INTEGER NOT NULL, source_offset BIGINT NOT NULL,
          entity TEXT NOT NULL, event_ticks BIGINT NOT NULL, feature_values DOUBLE PRECISION[] NOT NULL, label DOUBLE PRECISION,
          PRIMARY KEY (view, version, source_partition, source_offset));
        CREATE INDEX offline_rows_labeled ON offline_rows (view, version) WHERE label IS NOT NULL;
        """,
        // Erasure deletes an entity's rows of every version of a view.
        "CREATE INDEX offline_rows_by_entity ON offline_rows (view, entity);",
        // Labeled rows retention deleted, which still count (IOfflineStore.CountLabeledAsync).
        "CREATE TABLE offline_retention_counts (view TEXT NOT NULL, version INTEGER NOT NULL, labeled_deleted BIGINT NOT NULL, PRIMARY KEY (view, version));",
    ];

    private const long MigrationLock = 0x4F66666C696E65; // "Offline"

    private readonly NpgsqlDataSource _source;

    public PostgresOfflineStore(string connectionString)
    {
        _source = NpgsqlDataSource.Create(connectionString);
        Migrate();
    }

    /// <summary>The number of migrations applied.</summary>
    public int SchemaVersion
    {
        get
        {
            using var connection = _source.OpenConnection();
            using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM offline_schema_migrations", connection);
            return Convert.ToInt32(command.ExecuteScalar());
        }
    }

    private void Migrate()
    {
        using var connection = _source.OpenConnection();
        Execute(connection, null, $"SELECT pg_advisory_lock({MigrationLock})");
        try
        {
            Execute(connection, null, "CREATE TABLE IF NOT EXISTS offline_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)");
            using var current = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM offline_schema_migrations", connection);
            var applied = Convert.ToInt32(current.ExecuteScalar());
            for (var i = applied; i < Migrations.Length; i++)
            {
                using var transaction = connection.BeginTransaction();
                Execute(connection, transaction, Migrations[i]);
                Execute(connection, transaction, $"INSERT INTO offline_schema_migrations (version, applied_at) VALUES ({i + 1}, now())");
                transaction.Commit();
            }
        }
        finally
        {
            Execute(connection, null, $"SELECT pg_advisory_unlock({MigrationLock})");
        }
    }

    public async Task<int> AppendAsync(string featureView, int viewVersion, IReadOnlyList<OfflineFeatureRow> rows, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0) return 0;
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // A staging table per transaction: pooled connections are reset when returned, so nothing outlives the append.
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE offline_staging (source_partition INTEGER, source_offset BIGINT, entity TEXT, event_ticks BIGINT, feature_values DOUBLE PRECISION[], label DOUBLE PRECISION) ON COMMIT DROP",
            connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY offline_staging (source_partition, source_offset, entity, event_ticks, feature_values, label) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(row.Partition, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(row.Offset, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(row.EntityId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.EventTime.UtcTicks, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(row.Values, NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken);
                if (row.Label is { } label) await copy.WriteAsync(label, NpgsqlDbType.Double, cancellationToken);
                else await copy.WriteNullAsync(cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        // RETURNING lists only the rows actually inserted: the ones another append (or an earlier delivery) stored are skipped.
        // Inserting in key order makes writers whose batches overlap wait for each other in one order, never in a cycle.
        int addedLabeled;
        await using (var move = new NpgsqlCommand("""
            WITH added AS (
              INSERT INTO offline_rows (view, version, source_partition, source_offset, entity, event_ticks, feature_values, label)
              SELECT @view, @version, source_partition, source_offset, entity, event_ticks, feature_values, label FROM offline_staging
              ORDER BY source_partition, source_offset
              ON CONFLICT DO NOTHING
              RETURNING label)
            SELECT COUNT(*) FILTER (WHERE label IS NOT NULL) FROM added
            """, connection, transaction))
        {
            move.Parameters.AddWithValue("view", featureView);
            move.Parameters.AddWithValue("version", viewVersion);
            addedLabeled = Convert.ToInt32(await move.ExecuteScalarAsync(cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        return addedLabeled;
    }

    public Task<IReadOnlyList<OfflineFeatureRow>> ReadAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, CancellationToken cancellationToken = default) =>
        ReadRowsAsync(featureView, viewVersion, watermark, labeledOnly, limit: null, cancellationToken);

    /// <summary>The server picks the newest rows (a top-N sort), so a job capped at N rows never loads the whole history.</summary>
    public async Task<IReadOnlyList<OfflineFeatureRow>> ReadLatestAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var rows = await ReadRowsAsync(featureView, viewVersion, watermark, labeledOnly, limit, cancellationToken);
        return OfflineRowOrder.Latest(rows, limit);
    }

    private async Task<IReadOnlyList<OfflineFeatureRow>> ReadRowsAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, int? limit, CancellationToken cancellationToken)
    {
        var rows = new List<OfflineFeatureRow>();
        if (watermark.Count == 0 || limit == 0) return rows;
        // One query for every partition: each row joins its partition's end offset; all rows in (partition, offset)
        // order, or the newest `limit` by (event time, partition, offset).
        var order = limit is null
            ? " ORDER BY r.source_partition, r.source_offset"
            : " ORDER BY r.event_ticks DESC, r.source_partition DESC, r.source_offset DESC LIMIT @limit";
        await using var command = _source.CreateCommand("""
            SELECT r.source_partition, r.source_offset, r.entity, r.event_ticks, r.feature_values, r.label
            FROM unnest(@partitions, @ends) AS w (source_partition, end_offset)
            JOIN offline_rows r ON r.view = @view AND r.version = @version AND r.source_partition = w.source_partition AND r.source_offset < w.end_offset
            """ + (labeledOnly ? " WHERE r.label IS NOT NULL" : string.Empty) + order);
        command.Parameters.AddWithValue("view", featureView);
        command.Parameters.AddWithValue("version", viewVersion);
        command.Parameters.AddWithValue("partitions", watermark.Keys.ToArray());
        command.Parameters.AddWithValue("ends", watermark.Keys.Select(p => watermark[p]).ToArray());
        if (limit is { } n) command.Parameters.AddWithValue("limit", n);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new OfflineFeatureRow(
                reader.GetString(2),
                new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                reader.GetInt32(0),
                reader.GetInt64(1),
                reader.GetFieldValue<double[]>(4),
                reader.IsDBNull(5) ? null : reader.GetDouble(5)));
        }
        return rows;
    }

    public async Task<long> CountLabeledAsync(string featureView, int viewVersion, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand("""
            SELECT (SELECT COUNT(*) FROM offline_rows WHERE view = @view AND version = @version AND label IS NOT NULL)
                 + COALESCE((SELECT labeled_deleted FROM offline_retention_counts WHERE view = @view AND version = @version), 0)
            """);
        command.Parameters.AddWithValue("view", featureView);
        command.Parameters.AddWithValue("version", viewVersion);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }

    public async Task<int> DeleteEntityAsync(string featureView, string entityId, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand("DELETE FROM offline_rows WHERE view = @view AND entity = @entity");
        command.Parameters.AddWithValue("view", featureView);
        command.Parameters.AddWithValue("entity", entityId);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }

    public void Dispose() => _source.Dispose();

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
