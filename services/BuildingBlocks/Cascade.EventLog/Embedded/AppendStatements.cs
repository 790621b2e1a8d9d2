using System.Text;
using Cascade.EventLog.Abstractions;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cascade.EventLog.Embedded;

/// <summary>
/// The statements of an append, prepared once on the writer connection and bound through SQLite's own API: multi-row
/// INSERTs of <see cref="RowsPerStatement"/> records (and one per shorter remainder), the partition ends, the
/// transaction, and <c>PRAGMA data_version</c>.
/// </summary>
/// <remarks>
/// Why not ADO.NET commands: through <see cref="SqliteCommand"/> every record was an INSERT that opened a data reader,
/// its value was copied with <c>ToArray</c> to become a parameter and its partition and offset were boxed, 3.4–3.6 µs
/// of CPU and 1.1 KB per record. Here a record is four binds: integers as integers, the key encoded into a reused
/// buffer, the value bound straight from the caller's memory (SQLite copies it once, into the page).
/// Not thread-safe: used under the log's write lock only.
/// </remarks>
internal sealed class AppendStatements : IDisposable
{
    /// <summary>Records per INSERT: enough to spread a statement's fixed cost thin, few enough to stay cheap to prepare.</summary>
    public const int RowsPerStatement = 32;

    // Parameters: ?1 topic, ?2 appended_at, then per row partition, offset, key, value.
    private const int SharedParameters = 2;
    private const int ParametersPerRow = 4;

    private readonly sqlite3 _db;

    // By row count; the full one and each remainder size are prepared on first use.
    private readonly sqlite3_stmt?[] _inserts = new sqlite3_stmt?[RowsPerStatement + 1];
    private readonly sqlite3_stmt _saveEnd;
    private readonly sqlite3_stmt _begin;
    private readonly sqlite3_stmt _commit;
    private readonly sqlite3_stmt _rollback;
    private readonly sqlite3_stmt _dataVersion;
    private byte[] _text = new byte[256];

    public AppendStatements(SqliteConnection writer)
    {
        _db = writer.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
        _saveEnd = Prepare("INSERT OR REPLACE INTO partition_ends (topic, partition, next_offset) VALUES (?1, ?2, ?3)");
        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");
        _dataVersion = Prepare("PRAGMA data_version");
    }

    public void Begin() => Execute(_begin);

    public void Commit() => Execute(_commit);

    /// <summary>Rolls back the open transaction, if any; never throws, so the failure that led here is the one reported.</summary>
    public void Rollback()
    {
        if (raw.sqlite3_get_autocommit(_db) == 0)
        {
            raw.sqlite3_step(_rollback);
            raw.sqlite3_reset(_rollback);
        }
    }

    /// <summary>
    /// SQLite's <c>data_version</c>: it changes when another connection (another log on the file, another process)
    /// commits, never for this connection's own commits, so it tells when cached partition ends may be stale.
    /// </summary>
    public long DataVersion()
    {
        try
        {
            var rc = raw.sqlite3_step(_dataVersion);
            if (rc != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
            return raw.sqlite3_column_int64(_dataVersion, 0);
        }
        finally
        {
            raw.sqlite3_reset(_dataVersion);
        }
    }

    /// <summary>Inserts records <c>[from, to)</c> at their <paramref name="positions"/>.</summary>
    public void Insert(string topic, IReadOnlyList<OutgoingRecord> records, RecordPosition[] positions, int from, int to, long appendedAt)
    {
        for (var first = from; first < to; first += RowsPerStatement)
        {
            var rows = Math.Min(RowsPerStatement, to - first);
            var statement = _inserts[rows] ??= Prepare(InsertSql(rows));
            BindText(statement, 1, topic);
            Check(raw.sqlite3_bind_int64(statement, 2, appendedAt));
            for (var row = 0; row < rows; row++)
            {
                var index = SharedParameters + row * ParametersPerRow + 1;
                var record = records[first + row];
                var position = positions[first + row];
                Check(raw.sqlite3_bind_int(statement, index, position.Partition));
                Check(raw.sqlite3_bind_int64(statement, index + 1, position.Offset));
                if (record.Key is null)
                {
                    Check(raw.sqlite3_bind_null(statement, index + 2));
                }
                else
                {
                    BindText(statement, index + 2, record.Key);
                }
                BindBlob(statement, index + 3, record.Value.Span);
            }
            Execute(statement);
        }
    }

    /// <summary>Stores a partition's next offset.</summary>
    public void SaveEnd(string topic, int partition, long nextOffset)
    {
        BindText(_saveEnd, 1, topic);
        Check(raw.sqlite3_bind_int(_saveEnd, 2, partition));
        Check(raw.sqlite3_bind_int64(_saveEnd, 3, nextOffset));
        Execute(_saveEnd);
    }

    private static string InsertSql(int rows)
    {
        // OR ROLLBACK: a multi-row INSERT that could fail part-way inside a transaction makes SQLite keep a statement
        // journal, a temporary file written with every page the statement touches (most of the cost, measured); a
        // failing row rolls the whole transaction back instead, which the append does anyway.
        var sql = new StringBuilder("INSERT OR ROLLBACK INTO records (topic, partition, offset, key, value, appended_at) VALUES ");
        for (var row = 0; row < rows; row++)
        {
            var index = SharedParameters + row * ParametersPerRow + 1;
            sql.Append(row == 0 ? "" : ", ").Append($"(?1, ?{index}, ?{index + 1}, ?{index + 2}, ?{index + 3}, ?2)");
        }
        return sql.ToString();
    }

    private void BindText(sqlite3_stmt statement, int index, string text)
    {
        if (text.Length == 0)
        {
            // An empty span would reach SQLite as a null pointer, which binds NULL, not ''.
            Check(raw.sqlite3_bind_text(statement, index, string.Empty));
            return;
        }
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_text.Length < needed)
        {
            _text = new byte[Math.Max(needed, _text.Length * 2)];
        }
        var length = Encoding.UTF8.GetBytes(text, _text);
        // SQLite copies the text (SQLITE_TRANSIENT), so the buffer is free again for the next bind.
        Check(raw.sqlite3_bind_text(statement, index, _text.AsSpan(0, length)));
    }

    private void BindBlob(sqlite3_stmt statement, int index, ReadOnlySpan<byte> value) =>
        // As for text, an empty span would bind NULL, and values are NOT NULL.
        Check(value.IsEmpty ? raw.sqlite3_bind_zeroblob(statement, index, 0) : raw.sqlite3_bind_blob(statement, index, value));

    private void Execute(sqlite3_stmt statement)
    {
        try
        {
            var rc = raw.sqlite3_step(statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
        finally
        {
            // A statement left unreset keeps the transaction from committing.
            raw.sqlite3_reset(statement);
        }
    }

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        return statement;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    public void Dispose()
    {
        // Before the connection closes: a statement left unfinalized keeps SQLite's connection open.
        foreach (var statement in _inserts)
        {
            statement?.Dispose();
        }
        _saveEnd.Dispose();
        _begin.Dispose();
        _commit.Dispose();
        _rollback.Dispose();
        _dataVersion.Dispose();
    }
}
