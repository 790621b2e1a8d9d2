using System.Runtime.InteropServices;
using System.Text;
using Cascade.Monitoring.Domain.Labels;
using Cascade.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cascade.Monitoring.Storage;

/// <summary>
/// The predictions each monitor holds waiting for labels, in <see cref="MonitoringStore"/>'s SQLite file: one row per
/// prediction keyed by the model and its arrival sequence number, so a checkpoint writes what arrived and deletes what
/// left since the previous one (<see cref="PendingChanges"/>) instead of rewriting the whole set. Rows of a model are
/// appended at the end of its key range and mostly deleted from the front, which touches few pages per checkpoint.
/// </summary>
/// <remarks>
/// Under a saturated Predict load every prediction is written once and deleted once (the default 100,000 waiting are
/// under two seconds of traffic), so the rows go through statements prepared once on the store's connection:
/// multi-row INSERTs of <see cref="RowsPerInsert"/> predictions and one DELETE per run of consecutive sequence
/// numbers (predictions leave mostly in arrival order). Through one ADO.NET command per row they cost 2–3 µs of CPU
/// and 1 KB per prediction (docs/performance.md). Not thread-safe: used under the store's lock.
/// </remarks>
internal sealed class PendingPredictionTables : IDisposable
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS pending_predictions (model TEXT NOT NULL, sequence INTEGER NOT NULL, prediction_id TEXT NOT NULL, entity_id TEXT,
                                                        time_utc_ticks INTEGER NOT NULL, log_offset INTEGER NOT NULL, outputs BLOB NOT NULL, segment TEXT,
                                                        PRIMARY KEY (model, sequence)) WITHOUT ROWID;
        """;

    /// <summary>Predictions per INSERT: enough to spread a statement's fixed cost thin, few enough to stay cheap to prepare.</summary>
    public const int RowsPerInsert = 32;

    private const int ColumnsPerRow = 7; // after ?1, the model, which every row shares

    private readonly SqliteConnection _connection;
    private readonly SqliteStatement?[] _inserts = new SqliteStatement?[RowsPerInsert + 1]; // by row count, prepared on first use
    private readonly SqliteStatement _deleteRange;
    private readonly SqliteStatement _deleteModel;

    /// <summary>Prepares the statements on <paramref name="connection"/>, whose file must already hold <see cref="Schema"/>.</summary>
    public PendingPredictionTables(SqliteConnection connection)
    {
        _connection = connection;
        _deleteRange = new SqliteStatement(connection, "DELETE FROM pending_predictions WHERE model = ?1 AND sequence BETWEEN ?2 AND ?3");
        _deleteModel = new SqliteStatement(connection, "DELETE FROM pending_predictions WHERE model = ?1");
    }

    /// <summary>Applies <paramref name="changes"/> to the stored predictions of <paramref name="model"/> (inside the caller's transaction).</summary>
    public void Write(string model, PendingChanges changes)
    {
        if (changes.Replace) Delete(model);
        DeleteRemoved(model, changes.Removed);
        var added = changes.Added;
        for (var first = 0; first < added.Count; first += RowsPerInsert)
        {
            var rows = Math.Min(RowsPerInsert, added.Count - first);
            var insert = _inserts[rows] ??= new SqliteStatement(_connection, InsertSql(rows));
            insert.BindText(1, model);
            for (var row = 0; row < rows; row++)
            {
                var (sequence, prediction) = added[first + row];
                var index = 2 + row * ColumnsPerRow;
                insert.BindInt64(index, sequence);
                insert.BindText(index + 1, prediction.PredictionId);
                insert.BindText(index + 2, prediction.EntityId);
                insert.BindInt64(index + 3, prediction.Time.UtcTicks);
                insert.BindInt64(index + 4, prediction.Offset);
                insert.BindBlob(index + 5, MemoryMarshal.AsBytes(prediction.Outputs.AsSpan()));
                insert.BindText(index + 6, prediction.Segment);
            }
            insert.Execute();
        }
    }

    /// <summary>Deletes every stored prediction of <paramref name="model"/> (its monitor watches nothing with a reference).</summary>
    public void Delete(string model)
    {
        _deleteModel.BindText(1, model);
        _deleteModel.Execute();
    }

    /// <summary>The stored predictions of <paramref name="model"/> in arrival order.</summary>
    public IReadOnlyList<PendingPrediction> Read(string model)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT prediction_id, entity_id, time_utc_ticks, log_offset, outputs, segment FROM pending_predictions
            WHERE model = $m ORDER BY sequence
            """;
        command.Parameters.AddWithValue("$m", model);
        using var reader = command.ExecuteReader();
        var pending = new List<PendingPrediction>();
        while (reader.Read())
        {
            var outputs = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(4)).ToArray();
            pending.Add(new PendingPrediction(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero), reader.GetInt64(3), outputs, reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return pending;
    }

    /// <summary>One DELETE per run of consecutive sequence numbers: capacity and expiry remove from the front in order, joins anywhere.</summary>
    private void DeleteRemoved(string model, IReadOnlyList<long> removed)
    {
        if (removed.Count == 0) return;
        var sorted = removed.ToArray();
        Array.Sort(sorted);
        var from = sorted[0];
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i < sorted.Length && sorted[i] <= sorted[i - 1] + 1) continue;
            _deleteRange.BindText(1, model);
            _deleteRange.BindInt64(2, from);
            _deleteRange.BindInt64(3, sorted[i - 1]);
            _deleteRange.Execute();
            if (i < sorted.Length) from = sorted[i];
        }
    }

    private static string InsertSql(int rows)
    {
        // OR ROLLBACK: a multi-row INSERT that could fail part-way inside a transaction makes SQLite keep a statement
        // journal, a temporary file written with every page the statement touches; a failing row rolls the whole
        // checkpoint back instead, which a failed checkpoint is anyway (the next one rewrites the set).
        var sql = new StringBuilder("INSERT OR ROLLBACK INTO pending_predictions (model, sequence, prediction_id, entity_id, time_utc_ticks, log_offset, outputs, segment) VALUES ");
        for (var row = 0; row < rows; row++)
        {
            var i = 2 + row * ColumnsPerRow;
            sql.Append(row == 0 ? "" : ", ").Append($"(?1, ?{i}, ?{i + 1}, ?{i + 2}, ?{i + 3}, ?{i + 4}, ?{i + 5}, ?{i + 6})");
        }
        return sql.ToString();
    }

    public void Dispose()
    {
        foreach (var insert in _inserts) insert?.Dispose();
        _deleteRange.Dispose();
        _deleteModel.Dispose();
    }
}
