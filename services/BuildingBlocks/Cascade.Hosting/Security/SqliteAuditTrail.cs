using Microsoft.Data.Sqlite;

namespace Cascade.Hosting.Security;

/// <summary>
/// The process's audit log: a SQLite table (<c>audit.db</c> in the data directory) that triggers keep append-only —
/// an UPDATE or DELETE is refused by the database itself — with the relay's progress kept in a table of its own.
/// Entries are on disk when <see cref="RecordAsync"/> returns; <see cref="AuditRelay"/> publishes them to the audit topic.
/// </summary>
public sealed class SqliteAuditTrail : IAuditTrail, IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    /// <summary>Raised after each append, so the relay need not poll.</summary>
    public event Action? Appended;

    public SqliteAuditTrail(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        FilePath = path;
        connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS audit (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL, principal TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,
                target TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL);
            CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TABLE IF NOT EXISTS relay (id INTEGER PRIMARY KEY CHECK (id = 1), published INTEGER NOT NULL);
            INSERT OR IGNORE INTO relay (id, published) VALUES (1, 0);
            """);
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    public ValueTask RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO audit (at, principal, role, action, target, outcome, detail) VALUES ($at, $principal, $role, $action, $target, $outcome, $detail)";
            insert.Parameters.AddWithValue("$at", entry.At.UtcDateTime.ToString("O"));
            insert.Parameters.AddWithValue("$principal", entry.Principal);
            insert.Parameters.AddWithValue("$role", entry.Role);
            insert.Parameters.AddWithValue("$action", entry.Action);
            insert.Parameters.AddWithValue("$target", entry.Target);
            insert.Parameters.AddWithValue("$outcome", OutcomeName(entry.Outcome));
            insert.Parameters.AddWithValue("$detail", entry.Detail.Length > 1000 ? entry.Detail[..1000] : entry.Detail);
            insert.ExecuteNonQuery();
        }
        Appended?.Invoke();
        return ValueTask.CompletedTask;
    }

    /// <summary>Entries after sequence <paramref name="after"/>, oldest first.</summary>
    public IReadOnlyList<StoredAuditEntry> Read(long after, int limit)
    {
        lock (gate)
        {
            return ReadFrom(connection, after, limit);
        }
    }

    /// <summary>The sequence up to which entries are on the audit topic.</summary>
    public long Published
    {
        get
        {
            lock (gate)
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT published FROM relay WHERE id = 1";
                return (long)command.ExecuteScalar()!;
            }
        }
    }

    /// <summary>Records that entries up to <paramref name="sequence"/> are on the audit topic.</summary>
    public void MarkPublished(long sequence)
    {
        lock (gate)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE relay SET published = max(published, $sequence) WHERE id = 1";
            command.Parameters.AddWithValue("$sequence", sequence);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Reads an audit log file without opening it for writing (<c>./cascade audit</c>): the last <paramref name="limit"/> entries, oldest first.</summary>
    public static IReadOnlyList<StoredAuditEntry> ReadFile(string path, int limit)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT coalesce(max(sequence), 0) FROM audit";
        var last = (long)count.ExecuteScalar()!;
        return ReadFrom(connection, Math.Max(0, last - limit), limit);
    }

    public static string OutcomeName(AuditOutcome outcome) => outcome.ToString().ToLowerInvariant();

    private static List<StoredAuditEntry> ReadFrom(SqliteConnection connection, long after, int limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence, at, principal, role, action, target, outcome, detail FROM audit WHERE sequence > $after ORDER BY sequence LIMIT $limit";
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var entries = new List<StoredAuditEntry>();
        while (reader.Read())
        {
            entries.Add(new StoredAuditEntry(reader.GetInt64(0), DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture),
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }
        return entries;
    }

    private void Execute(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => connection.Dispose();
}

/// <summary>An entry as the audit log stores it, with its sequence number.</summary>
public sealed record StoredAuditEntry(long Sequence, DateTimeOffset At, string Principal, string Role, string Action, string Target, string Outcome, string Detail);
