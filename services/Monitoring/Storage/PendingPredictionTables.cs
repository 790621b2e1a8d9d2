using System.Runtime.InteropServices;
using Cascade.Monitoring.Domain.Labels;
using Cascade.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cascade.Monitoring.Storage;

/// <summary>
/// The predictions each monitor holds waiting for labels, in <see cref="MonitoringStore"/>'s SQLite file, written as
/// changes (<see cref="PendingChanges"/>): what arrived since the previous checkpoint as chunks of up to
/// <see cref="PredictionsPerChunk"/> predictions (<see cref="PendingChunk"/>), one row each, and what left as ranges
/// of sequence numbers, which reading skips. A replacing checkpoint deletes all three tables' rows of the model first,
/// so what the store holds stays within what the set's own bound on its changes allows (about twice what waits).
/// </summary>
/// <remarks>
/// Why chunks and not a row per prediction: under a saturated Predict load every prediction is written once and
/// deleted once (the default 100,000 waiting are under two seconds of traffic). As rows, through statements prepared
/// once, that was still a b-tree insert and delete per prediction: a checkpoint replacing 100,000 cost 151–160 ms of
/// CPU, as chunks 53–58 ms (docs/performance.md, "Monitoring's waiting predictions stored in chunks"). A chunk is one
/// insert of a blob SQLite writes in overflow pages, and leaving in arrival order is one range per run. <c>pending_predictions</c> holds what earlier
/// versions wrote, a row per prediction: it is read with the rest and emptied by the next replacing checkpoint, which
/// a restore always is. Not thread-safe: used under the store's lock.
/// </remarks>
internal sealed class PendingPredictionTables : IDisposable
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS pending_predictions (model TEXT NOT NULL, sequence INTEGER NOT NULL, prediction_id TEXT NOT NULL, entity_id TEXT,
                                                        time_utc_ticks INTEGER NOT NULL, log_offset INTEGER NOT NULL, outputs BLOB NOT NULL, segment TEXT,
                                                        PRIMARY KEY (model, sequence)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS pending_chunks (model TEXT NOT NULL, first_sequence INTEGER NOT NULL, last_sequence INTEGER NOT NULL,
                                                   predictions BLOB NOT NULL, PRIMARY KEY (model, first_sequence));
        CREATE TABLE IF NOT EXISTS pending_left (model TEXT NOT NULL, first_sequence INTEGER NOT NULL, last_sequence INTEGER NOT NULL,
                                                 PRIMARY KEY (model, first_sequence)) WITHOUT ROWID;
        """;

    /// <summary>Predictions per chunk: a few hundred kilobytes, so a replacing checkpoint of 100,000 is a few dozen inserts.</summary>
    public const int PredictionsPerChunk = 4096;

    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _insertChunk;
    private readonly SqliteStatement _insertLeft;
    private readonly SqliteStatement[] _deleteModel;
    private readonly MemoryStream _chunk = new();

    /// <summary>Prepares the statements on <paramref name="connection"/>, whose file must already hold <see cref="Schema"/>.</summary>
    public PendingPredictionTables(SqliteConnection connection)
    {
        _connection = connection;
        // OR ROLLBACK: no statement journal (see the event log's appends); a failing insert fails the whole checkpoint,
        // which the next one makes good by replacing the set.
        _insertChunk = new SqliteStatement(connection, "INSERT OR ROLLBACK INTO pending_chunks (model, first_sequence, last_sequence, predictions) VALUES (?1, ?2, ?3, ?4)");
        _insertLeft = new SqliteStatement(connection, "INSERT OR ROLLBACK INTO pending_left (model, first_sequence, last_sequence) VALUES (?1, ?2, ?3)");
        _deleteModel =
        [
            new SqliteStatement(connection, "DELETE FROM pending_predictions WHERE model = ?1"),
            new SqliteStatement(connection, "DELETE FROM pending_chunks WHERE model = ?1"),
            new SqliteStatement(connection, "DELETE FROM pending_left WHERE model = ?1"),
        ];
    }

    /// <summary>Applies <paramref name="changes"/> to the stored predictions of <paramref name="model"/> (inside the caller's transaction).</summary>
    public void Write(string model, PendingChanges changes)
    {
        if (changes.Replace) Delete(model);
        WriteLeft(model, changes.Removed);
        var added = changes.Added;
        for (var first = 0; first < added.Count; first += PredictionsPerChunk)
        {
            var count = Math.Min(PredictionsPerChunk, added.Count - first);
            PendingChunk.Write(added, first, count, _chunk);
            _insertChunk.BindText(1, model);
            _insertChunk.BindInt64(2, added[first].Sequence);
            _insertChunk.BindInt64(3, added[first + count - 1].Sequence);
            _insertChunk.BindBlob(4, _chunk.GetBuffer().AsSpan(0, (int)_chunk.Length));
            _insertChunk.Execute();
        }
        if (_chunk.Capacity > 4 << 20)
        {
            // A chunk of long ids or many outputs: give the memory back (a capacity below the length is refused).
            _chunk.SetLength(0);
            _chunk.Capacity = 0;
        }
    }

    /// <summary>Deletes every stored prediction of <paramref name="model"/> (its monitor watches nothing with a reference).</summary>
    public void Delete(string model)
    {
        foreach (var delete in _deleteModel)
        {
            delete.BindText(1, model);
            delete.Execute();
        }
    }

    /// <summary>The stored predictions of <paramref name="model"/> that have not left, in arrival order.</summary>
    public IReadOnlyList<PendingPrediction> Read(string model)
    {
        var left = ReadLeft(model);
        var pending = new List<PendingPrediction>();
        foreach (var (sequence, prediction) in ReadRows(model).Concat(ReadChunks(model)))
        {
            if (!HasLeft(left, sequence)) pending.Add(prediction);
        }
        return pending;
    }

    /// <summary>One range per run of consecutive sequence numbers: capacity and expiry remove from the front in order, joins anywhere.</summary>
    private void WriteLeft(string model, IReadOnlyList<long> removed)
    {
        if (removed.Count == 0) return;
        var sorted = removed.ToArray();
        Array.Sort(sorted);
        var from = sorted[0];
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i < sorted.Length && sorted[i] <= sorted[i - 1] + 1) continue;
            _insertLeft.BindText(1, model);
            _insertLeft.BindInt64(2, from);
            _insertLeft.BindInt64(3, sorted[i - 1]);
            _insertLeft.Execute();
            if (i < sorted.Length) from = sorted[i];
        }
    }

    private List<(long First, long Last)> ReadLeft(string model)
    {
        using var command = Select("SELECT first_sequence, last_sequence FROM pending_left WHERE model = $m ORDER BY first_sequence", model);
        using var reader = command.ExecuteReader();
        var left = new List<(long, long)>();
        while (reader.Read()) left.Add((reader.GetInt64(0), reader.GetInt64(1)));
        return left;
    }

    private static bool HasLeft(List<(long First, long Last)> left, long sequence)
    {
        // The last range starting at or before the sequence is the only one that can hold it (ranges do not overlap).
        int low = 0, high = left.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (left[middle].First <= sequence) low = middle + 1;
            else high = middle - 1;
        }
        return high >= 0 && sequence <= left[high].Last;
    }

    /// <summary>What earlier versions wrote, a row per prediction.</summary>
    private IEnumerable<(long, PendingPrediction)> ReadRows(string model)
    {
        using var command = Select("""
            SELECT sequence, prediction_id, entity_id, time_utc_ticks, log_offset, outputs, segment FROM pending_predictions
            WHERE model = $m ORDER BY sequence
            """, model);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var outputs = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(5)).ToArray();
            yield return (reader.GetInt64(0), new PendingPrediction(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero), reader.GetInt64(4), outputs, reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
    }

    private IEnumerable<(long, PendingPrediction)> ReadChunks(string model)
    {
        using var command = Select("SELECT predictions FROM pending_chunks WHERE model = $m ORDER BY first_sequence", model);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            foreach (var prediction in PendingChunk.Read((byte[])reader.GetValue(0))) yield return prediction;
        }
    }

    private SqliteCommand Select(string sql, string model)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$m", model);
        return command;
    }

    public void Dispose()
    {
        _insertChunk.Dispose();
        _insertLeft.Dispose();
        foreach (var delete in _deleteModel) delete.Dispose();
        _chunk.Dispose();
    }
}
