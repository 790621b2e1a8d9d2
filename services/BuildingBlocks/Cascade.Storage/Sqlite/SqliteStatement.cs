using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cascade.Storage.Sqlite;

/// <summary>
/// One statement prepared once on a store's long-lived connection and bound through SQLite's own API (SQLitePCLRaw,
/// which Microsoft.Data.Sqlite runs on). It runs inside whatever transaction the connection has open.
/// </summary>
/// <remarks>
/// Why not <see cref="SqliteCommand"/> for rows written by the thousand: a command executed per row finds its
/// statement again, binds every parameter by name, boxes integers and needs blobs as arrays of their own. Here an
/// integer is bound as an integer, text is encoded into a reused buffer and a blob is bound from the caller's memory
/// (SQLite copies both once). Not thread-safe: the store serialises its writes.
/// </remarks>
public sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _text = new byte[128];

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    public void BindInt64(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Binds <paramref name="text"/> as UTF-8; null binds NULL.</summary>
    public void BindText(int index, string? text)
    {
        if (text is null)
        {
            Check(raw.sqlite3_bind_null(_statement, index));
            return;
        }
        if (text.Length == 0)
        {
            // An empty span would reach SQLite as a null pointer, which binds NULL, not ''.
            Check(raw.sqlite3_bind_text(_statement, index, string.Empty));
            return;
        }
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_text.Length < needed) _text = new byte[Math.Max(needed, _text.Length * 2)];
        var length = Encoding.UTF8.GetBytes(text, _text);
        // SQLite copies the text (SQLITE_TRANSIENT), so the buffer is free again for the next bind.
        Check(raw.sqlite3_bind_text(_statement, index, _text.AsSpan(0, length)));
    }

    /// <summary>Binds <paramref name="value"/> as a blob (an empty one as an empty blob, not NULL).</summary>
    public void BindBlob(int index, ReadOnlySpan<byte> value) =>
        Check(value.IsEmpty ? raw.sqlite3_bind_zeroblob(_statement, index, 0) : raw.sqlite3_bind_blob(_statement, index, value));

    /// <summary>Runs the statement to completion (it returns no rows) and resets it for the next bind.</summary>
    public void Execute()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
        }
        finally
        {
            // A statement left unreset keeps the transaction from committing.
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <summary>Finalizes the statement; before the connection closes, or SQLite keeps the connection open.</summary>
    public void Dispose() => _statement.Dispose();
}
