using System.Text;
using Cascade.EventLog.Abstractions;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cascade.EventLog.Embedded;

/// <summary>
/// A consumer's reads of one partition's records, through a SELECT prepared once on its connection and read with
/// SQLite's own API.
/// </summary>
/// <remarks>
/// Why not a data reader: the consumer read every batch through a new command (the statement prepared again) and
/// every record's key as a string of its own, its value through a boxed <c>GetValue</c>. Records of a partition
/// mostly share a key (Serving keys its predictions by model), so the last key's string is reused while its bytes
/// match. Not thread-safe: the consumer reads under its read lock.
/// </remarks>
internal sealed class RecordReads : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _select;
    private string? _lastKey;
    private byte[] _lastKeyBytes = [];

    public RecordReads(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db,
            "SELECT offset, key, value, appended_at FROM records WHERE topic = ?1 AND partition = ?2 AND offset >= ?3 ORDER BY offset LIMIT ?4",
            out _select));
    }

    /// <summary>
    /// Adds to <paramref name="into"/> at most <paramref name="limit"/> records of the partition from offset
    /// <paramref name="from"/> on, in order; returns how many, and the offset of the last (<paramref name="from"/> − 1 if none).
    /// </summary>
    public int Read(string topic, int partition, long from, int limit, List<ConsumedRecord> into, out long last)
    {
        last = from - 1;
        var read = 0;
        try
        {
            Check(raw.sqlite3_bind_text(_select, 1, topic));
            Check(raw.sqlite3_bind_int(_select, 2, partition));
            Check(raw.sqlite3_bind_int64(_select, 3, from));
            Check(raw.sqlite3_bind_int(_select, 4, limit));
            int rc;
            while ((rc = raw.sqlite3_step(_select)) == raw.SQLITE_ROW)
            {
                last = raw.sqlite3_column_int64(_select, 0);
                var key = raw.sqlite3_column_type(_select, 1) == raw.SQLITE_NULL ? null : Key(raw.sqlite3_column_blob(_select, 1));
                var value = raw.sqlite3_column_blob(_select, 2).ToArray();
                var appendedAt = DateTimeOffset.FromUnixTimeMilliseconds(raw.sqlite3_column_int64(_select, 3));
                into.Add(new ConsumedRecord(topic, partition, last, key, value, appendedAt));
                read++;
            }
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
            return read;
        }
        finally
        {
            // Reset ends the statement's read transaction, so the WAL can be checkpointed past what it saw.
            raw.sqlite3_reset(_select);
        }
    }

    /// <summary>The key as a string: the previous record's when the UTF-8 bytes are the same.</summary>
    private string Key(ReadOnlySpan<byte> utf8)
    {
        if (_lastKey is not null && utf8.SequenceEqual(_lastKeyBytes)) return _lastKey;
        _lastKey = Encoding.UTF8.GetString(utf8);
        _lastKeyBytes = utf8.ToArray();
        return _lastKey;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <summary>Finalizes the statement; before the connection closes.</summary>
    public void Dispose() => _select.Dispose();
}
