using Cascade.Contracts.Ingestion.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Cascade.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cascade.Ingestion.Storage;

/// <summary>
/// Dataset schema versions and the ids of ingested records, in one SQLite file. Schemas are append-only:
/// every registered version is kept, the highest is current.
/// </summary>
public sealed class IngestionStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    public IngestionStore(string path)
    {
        _connection = SqliteFiles.OpenDurable(path);
        Execute("""
            CREATE TABLE IF NOT EXISTS dataset_versions (name TEXT NOT NULL, version INTEGER NOT NULL, spec BLOB NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (name, version));
            CREATE TABLE IF NOT EXISTS ingested_records (dataset TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (dataset, record_id)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS dataset_counters (name TEXT PRIMARY KEY, accepted INTEGER NOT NULL);
            """);
    }

    /// <summary>The current version of a dataset, or null.</summary>
    public (DatasetSpec Spec, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Accepted)? Get(string name)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT v.spec, v.version, (SELECT MIN(created_at) FROM dataset_versions WHERE name = $n), v.created_at,
                       COALESCE((SELECT accepted FROM dataset_counters WHERE name = $n), 0)
                FROM dataset_versions v WHERE v.name = $n ORDER BY v.version DESC LIMIT 1
                """;
            command.Parameters.AddWithValue("$n", name);
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return null;
            return (DatasetSpec.Parser.ParseFrom((byte[])reader.GetValue(0)), reader.GetInt32(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetInt64(4));
        }
    }

    public IReadOnlyList<string> Names()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT DISTINCT name FROM dataset_versions ORDER BY name";
            using var reader = command.ExecuteReader();
            var names = new List<string>();
            while (reader.Read()) names.Add(reader.GetString(0));
            return names;
        }
    }

    /// <summary>Stores a new version; returns its number.</summary>
    public int AddVersion(DatasetSpec spec)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO dataset_versions (name, version, spec, created_at)
                VALUES ($n, COALESCE((SELECT MAX(version) FROM dataset_versions WHERE name = $n), 0) + 1, $s, $t)
                RETURNING version
                """;
            command.Parameters.AddWithValue("$n", spec.Name);
            command.Parameters.AddWithValue("$s", spec.ToByteArray());
            command.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return Convert.ToInt32(command.ExecuteScalar());
        }
    }

    /// <summary>Which of the ids were ingested before (one query for the whole batch).</summary>
    public HashSet<string> AlreadyIngested(string dataset, IReadOnlyCollection<string> recordIds)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (recordIds.Count == 0) return seen;
        var ids = JsonArray(recordIds);
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT record_id FROM ingested_records WHERE dataset = $d AND record_id IN (SELECT value FROM json_each($ids))";
            command.Parameters.AddWithValue("$d", dataset);
            command.Parameters.AddWithValue("$ids", ids);
            using var reader = command.ExecuteReader();
            while (reader.Read()) seen.Add(reader.GetString(0));
            return seen;
        }
    }

    /// <summary>Remembers ids after their records were appended, and counts them.</summary>
    /// <remarks>
    /// One statement for the whole batch: an INSERT per id held the store (and with it every caller's duplicate check,
    /// <see cref="AlreadyIngested"/>) for the length of a 10,000-record batch.
    /// </remarks>
    public void MarkIngested(string dataset, IReadOnlyCollection<string> recordIds)
    {
        var ids = JsonArray(recordIds);
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR IGNORE INTO ingested_records (dataset, record_id) SELECT $d, value FROM json_each($ids)";
            command.Parameters.AddWithValue("$d", dataset);
            command.Parameters.AddWithValue("$ids", ids);
            command.ExecuteNonQuery();
            using var counter = _connection.CreateCommand();
            counter.Transaction = transaction;
            counter.CommandText = "INSERT INTO dataset_counters (name, accepted) VALUES ($n, $c) ON CONFLICT (name) DO UPDATE SET accepted = accepted + $c";
            counter.Parameters.AddWithValue("$n", dataset);
            counter.Parameters.AddWithValue("$c", recordIds.Count);
            counter.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    /// <summary>Ids as a JSON array, the one list parameter SQLite takes (through <c>json_each</c>).</summary>
    private static string JsonArray(IEnumerable<string> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values) writer.WriteStringValue(value);
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
