using System.Runtime.InteropServices;
using Cascade.Monitoring.Domain.Labels;
using Microsoft.Data.Sqlite;

namespace Cascade.Monitoring.Storage;

/// <summary>
/// The predictions each monitor holds waiting for labels, in <see cref="MonitoringStore"/>'s SQLite file: one row per
/// prediction keyed by the model and its arrival sequence number, so a checkpoint writes what arrived and deletes what
/// left since the previous one (<see cref="PendingChanges"/>) instead of rewriting the whole set. Rows of a model are
/// appended at the end of its key range and mostly deleted from the front, which touches few pages per checkpoint.
/// </summary>
internal static class PendingPredictionTables
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS pending_predictions (model TEXT NOT NULL, sequence INTEGER NOT NULL, prediction_id TEXT NOT NULL, entity_id TEXT,
                                                        time_utc_ticks INTEGER NOT NULL, log_offset INTEGER NOT NULL, outputs BLOB NOT NULL, segment TEXT,
                                                        PRIMARY KEY (model, sequence)) WITHOUT ROWID;
        """;

    /// <summary>Applies <paramref name="changes"/> to the stored predictions of <paramref name="model"/> (inside the caller's transaction).</summary>
    public static void Write(SqliteConnection connection, SqliteTransaction transaction, string model, PendingChanges changes)
    {
        if (changes.Replace) Delete(connection, transaction, model);
        if (changes.Removed.Count > 0)
        {
            using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM pending_predictions WHERE model = $m AND sequence = $s";
            delete.Parameters.AddWithValue("$m", model);
            var sequence = delete.Parameters.Add("$s", SqliteType.Integer);
            foreach (var removed in changes.Removed)
            {
                sequence.Value = removed;
                delete.ExecuteNonQuery();
            }
        }
        if (changes.Added.Count == 0) return;
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO pending_predictions (model, sequence, prediction_id, entity_id, time_utc_ticks, log_offset, outputs, segment)
            VALUES ($m, $s, $p, $e, $t, $o, $y, $g)
            """;
        insert.Parameters.AddWithValue("$m", model);
        var (s, p, e, t, o, y, g) = (insert.Parameters.Add("$s", SqliteType.Integer), insert.Parameters.Add("$p", SqliteType.Text), insert.Parameters.Add("$e", SqliteType.Text),
            insert.Parameters.Add("$t", SqliteType.Integer), insert.Parameters.Add("$o", SqliteType.Integer), insert.Parameters.Add("$y", SqliteType.Blob), insert.Parameters.Add("$g", SqliteType.Text));
        foreach (var (sequence, prediction) in changes.Added)
        {
            s.Value = sequence;
            p.Value = prediction.PredictionId;
            e.Value = (object?)prediction.EntityId ?? DBNull.Value;
            t.Value = prediction.Time.UtcTicks;
            o.Value = prediction.Offset;
            y.Value = MemoryMarshal.AsBytes(prediction.Outputs.AsSpan()).ToArray();
            g.Value = (object?)prediction.Segment ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>Deletes every stored prediction of <paramref name="model"/> (its monitor watches nothing with a reference).</summary>
    public static void Delete(SqliteConnection connection, SqliteTransaction transaction, string model)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM pending_predictions WHERE model = $m";
        command.Parameters.AddWithValue("$m", model);
        command.ExecuteNonQuery();
    }

    /// <summary>The stored predictions of <paramref name="model"/> in arrival order.</summary>
    public static IReadOnlyList<PendingPrediction> Read(SqliteConnection connection, string model)
    {
        using var command = connection.CreateCommand();
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
}
