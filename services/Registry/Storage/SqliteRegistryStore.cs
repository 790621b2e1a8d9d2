using System.Text.Json;
using Cascade.Contracts.Registry.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Cascade.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cascade.Registry.Storage;

/// <summary>The embedded registry store. Schema changes are numbered migrations applied once at open.</summary>
public sealed class SqliteRegistryStore : IRegistryStore, IDisposable
{
    /// <summary>Migrations in order; a new schema change is a new entry, never an edit of an old one.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE models (name TEXT PRIMARY KEY, description TEXT NOT NULL, task INTEGER NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE versions (model TEXT NOT NULL, version INTEGER NOT NULL, spec BLOB NOT NULL, status INTEGER NOT NULL,
          created_at INTEGER NOT NULL, registered_by TEXT NOT NULL, job_id TEXT NOT NULL, PRIMARY KEY (model, version));
        CREATE INDEX versions_by_job ON versions (model, job_id);
        CREATE TABLE aliases (model TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (model, alias));
        CREATE TABLE audit (sequence INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
          model TEXT NOT NULL, from_version INTEGER NOT NULL, to_version INTEGER NOT NULL, reason TEXT NOT NULL, evidence TEXT NOT NULL);
        """,
        // The transactional outbox: events written with the change they announce, deleted once the log has them.
        """
        CREATE TABLE outbox (sequence INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, topic TEXT NOT NULL, key TEXT NOT NULL,
          envelope BLOB NOT NULL, created_at INTEGER NOT NULL);
        """,
        // Retention: when the version's artifact was collected (null while it is kept).
        """
        ALTER TABLE versions ADD COLUMN artifact_collected_at INTEGER NULL;
        """,
        // Traffic policies live with their model (champion only until one is set); the revision is the audit sequence of the last change.
        """
        ALTER TABLE models ADD COLUMN canary_percent REAL NOT NULL DEFAULT 0;
        ALTER TABLE models ADD COLUMN shadow INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE models ADD COLUMN traffic_revision INTEGER NOT NULL DEFAULT 0;
        """,
    ];

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _relay = new(1, 1);

    public SqliteRegistryStore(string path)
    {
        _connection = SqliteFiles.OpenDurable(path);
        Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);");
        Migrate();
    }

    /// <summary>The number of migrations applied (tests check a second open applies none).</summary>
    public int SchemaVersion => Convert.ToInt32(Scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));

    private void Migrate()
    {
        for (var i = SchemaVersion; i < Migrations.Length; i++)
        {
            using var transaction = _connection.BeginTransaction();
            Execute(Migrations[i], transaction);
            Execute($"INSERT INTO schema_migrations (version, applied_at) VALUES ({i + 1}, {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()})", transaction);
            transaction.Commit();
        }
    }

    public Model EnsureModel(string name, TaskType task, string description = "")
    {
        lock (_gate)
        {
            Execute("INSERT OR IGNORE INTO models (name, description, task, created_at) VALUES ($n, $d, $t, $c)", null,
                ("$n", name), ("$d", description), ("$t", (int)task), ("$c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            return GetModel(name)!;
        }
    }

    public Model? GetModel(string name)
    {
        lock (_gate)
        {
            using var command = Command("SELECT name, description, task, created_at, (SELECT COALESCE(MAX(version), 0) FROM versions WHERE model = $n), canary_percent, shadow, traffic_revision FROM models WHERE name = $n", null, ("$n", name));
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return null;
            return new Model
            {
                Name = reader.GetString(0),
                Description = reader.GetString(1),
                Task = (TaskType)reader.GetInt32(2),
                CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))),
                LatestVersion = reader.GetInt32(4),
                ChampionVersion = ResolveAlias(name, Aliases.Champion),
                ChallengerVersion = ResolveAlias(name, Aliases.Challenger),
                TrafficPolicy = new TrafficPolicy { CanaryPercent = reader.GetDouble(5), Shadow = reader.GetInt64(6) != 0, Revision = reader.GetInt64(7) },
            };
        }
    }

    public IReadOnlyList<Model> ListModels()
    {
        lock (_gate)
        {
            var names = new List<string>();
            using (var command = Command("SELECT name FROM models ORDER BY name", null))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read()) names.Add(reader.GetString(0));
            }
            return names.Select(n => GetModel(n)!).ToArray();
        }
    }

    public ModelVersion? FindByJob(string model, string jobId)
    {
        lock (_gate)
        {
            var version = Scalar("SELECT version FROM versions WHERE model = $m AND job_id = $j AND job_id <> ''", ("$m", model), ("$j", jobId));
            return version is long v ? GetVersion(model, (int)v) : null;
        }
    }

    public ModelVersion AddVersion(ModelVersionSpec spec, string registeredBy, Func<int, RegistryEvent>? announce = null)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var version = Convert.ToInt32(ScalarIn(transaction, "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE model = $m", ("$m", spec.Model)));
            Execute("INSERT INTO versions (model, version, spec, status, created_at, registered_by, job_id) VALUES ($m, $v, $s, $st, $c, $r, $j)", transaction,
                ("$m", spec.Model), ("$v", version), ("$s", spec.ToByteArray()), ("$st", (int)VersionStatus.Registered),
                ("$c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$r", registeredBy), ("$j", spec.Lineage?.TrainingJobId ?? string.Empty));
            var audited = AppendAudit(new AuditEntry { Actor = registeredBy, Action = "Registered", Model = spec.Model, ToVersion = version, Reason = spec.Lineage?.TriggerReason ?? string.Empty }, transaction);
            if (announce is not null) Enqueue(announce(version), audited, transaction);
            transaction.Commit();
            return GetVersion(spec.Model, version)!;
        }
    }

    public ModelVersion? GetVersion(string model, int version)
    {
        lock (_gate)
        {
            using var command = Command("SELECT spec, status, created_at, registered_by, artifact_collected_at FROM versions WHERE model = $m AND version = $v", null, ("$m", model), ("$v", version));
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return null;
            var meta = new ModelVersionMeta
            {
                Version = version,
                Status = (VersionStatus)reader.GetInt32(1),
                CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))),
                RegisteredBy = reader.GetString(3),
            };
            if (!reader.IsDBNull(4)) meta.ArtifactCollectedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
            var spec = ModelVersionSpec.Parser.ParseFrom((byte[])reader.GetValue(0));
            reader.Close();
            using var aliases = Command("SELECT alias FROM aliases WHERE model = $m AND version = $v ORDER BY alias", null, ("$m", model), ("$v", version));
            using var aliasReader = aliases.ExecuteReader();
            while (aliasReader.Read()) meta.Aliases.Add(aliasReader.GetString(0));
            return new ModelVersion { Spec = spec, Meta = meta };
        }
    }

    public IReadOnlyList<ModelVersion> ListVersions(string model) => ListVersions(model, 0, int.MaxValue);

    public IReadOnlyList<ModelVersion> ListVersions(string model, int afterVersion, int limit)
    {
        lock (_gate)
        {
            var numbers = new List<int>();
            using (var command = Command("SELECT version FROM versions WHERE model = $m AND version > $after ORDER BY version LIMIT $limit", null,
                ("$m", model), ("$after", afterVersion), ("$limit", limit)))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read()) numbers.Add(reader.GetInt32(0));
            }
            return numbers.Select(n => GetVersion(model, n)!).ToArray();
        }
    }

    public int ResolveAlias(string model, string alias)
    {
        lock (_gate)
        {
            return Scalar("SELECT version FROM aliases WHERE model = $m AND alias = $a", ("$m", model), ("$a", alias)) is long v ? (int)v : 0;
        }
    }

    public bool MoveAlias(string model, string alias, int expectedCurrent, int to, AuditEntry audit, RegistryEvent? announce = null)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var current = ScalarIn(transaction, "SELECT version FROM aliases WHERE model = $m AND alias = $a", ("$m", model), ("$a", alias)) is long v ? (int)v : 0;
            if (current != expectedCurrent)
            {
                return false;
            }
            if (ScalarIn(transaction, "SELECT artifact_collected_at FROM versions WHERE model = $m AND version = $v", ("$m", model), ("$v", to)) is long)
            {
                throw new InvalidOperationException(RegistryStoreErrors.ArtifactCollected(model, to));
            }
            Execute("INSERT INTO aliases (model, alias, version) VALUES ($m, $a, $v) ON CONFLICT (model, alias) DO UPDATE SET version = $v", transaction, ("$m", model), ("$a", alias), ("$v", to));
            if (alias == Aliases.Champion)
            {
                if (current != 0) Execute("UPDATE versions SET status = $s WHERE model = $m AND version = $v", transaction, ("$s", (int)VersionStatus.Archived), ("$m", model), ("$v", current));
                Execute("UPDATE versions SET status = $s WHERE model = $m AND version = $v", transaction, ("$s", (int)VersionStatus.Champion), ("$m", model), ("$v", to));
                // A challenger that became champion is no longer a challenger.
                Execute("DELETE FROM aliases WHERE model = $m AND alias = $a AND version = $v", transaction, ("$m", model), ("$a", Aliases.Challenger), ("$v", to));
            }
            else
            {
                Execute("UPDATE versions SET status = $s WHERE model = $m AND version = $v", transaction, ("$s", (int)VersionStatus.Challenger), ("$m", model), ("$v", to));
            }
            var audited = AppendAudit(audit, transaction);
            if (announce is not null) Enqueue(announce, audited, transaction);
            transaction.Commit();
            return true;
        }
    }

    public Model? SetTrafficPolicy(string model, TrafficPolicy policy, AuditEntry audit, Func<long, RegistryEvent> announce)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            if (ScalarIn(transaction, "SELECT 1 FROM models WHERE name = $m", ("$m", model)) is null)
            {
                return null;
            }
            var audited = AppendAudit(audit, transaction);
            Execute("UPDATE models SET canary_percent = $c, shadow = $s, traffic_revision = $r WHERE name = $m", transaction,
                ("$c", policy.CanaryPercent), ("$s", policy.Shadow ? 1 : 0), ("$r", audited), ("$m", model));
            Enqueue(announce(audited), audited, transaction);
            transaction.Commit();
            return GetModel(model);
        }
    }

    public void SetStatus(string model, int version, VersionStatus status, AuditEntry audit)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            Execute("UPDATE versions SET status = $s WHERE model = $m AND version = $v", transaction, ("$s", (int)status), ("$m", model), ("$v", version));
            AppendAudit(audit, transaction);
            transaction.Commit();
        }
    }

    public bool MarkArtifactCollected(string model, int version, AuditEntry audit)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var aliased = ScalarIn(transaction, "SELECT COUNT(*) FROM aliases WHERE model = $m AND version = $v", ("$m", model), ("$v", version)) is long n && n > 0;
            if (aliased || Execute("UPDATE versions SET artifact_collected_at = $c WHERE model = $m AND version = $v AND artifact_collected_at IS NULL", transaction,
                    ("$c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$m", model), ("$v", version)) == 0)
            {
                return false; // became champion or challenger since the decision, or already collected
            }
            AppendAudit(audit, transaction);
            transaction.Commit();
            return true;
        }
    }

    public IReadOnlyList<AuditEntry> Audit(string model, long afterSequence)
    {
        lock (_gate)
        {
            using var command = Command("SELECT sequence, time, actor, action, model, from_version, to_version, reason, evidence FROM audit WHERE model = $m AND sequence > $s ORDER BY sequence", null, ("$m", model), ("$s", afterSequence));
            using var reader = command.ExecuteReader();
            var entries = new List<AuditEntry>();
            while (reader.Read())
            {
                entries.Add(new AuditEntry
                {
                    Sequence = reader.GetInt64(0),
                    Time = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))),
                    Actor = reader.GetString(2),
                    Action = reader.GetString(3),
                    Model = reader.GetString(4),
                    FromVersion = reader.GetInt32(5),
                    ToVersion = reader.GetInt32(6),
                    Reason = reader.GetString(7),
                    EvidenceJson = reader.GetString(8),
                });
            }
            return entries;
        }
    }

    public IDisposable? TryLeaseOutbox() =>
        // One process owns an embedded store: an in-process lease is enough.
        _relay.Wait(0) ? new Lease(_relay) : null;

    public IReadOnlyList<PendingEvent> PendingEvents(int limit)
    {
        lock (_gate)
        {
            using var command = Command("SELECT sequence, event_id, topic, key, envelope FROM outbox ORDER BY sequence LIMIT $l", null, ("$l", limit));
            using var reader = command.ExecuteReader();
            var events = new List<PendingEvent>();
            while (reader.Read()) events.Add(new PendingEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (byte[])reader.GetValue(4)));
            return events;
        }
    }

    public void EventsPublished(IReadOnlyList<long> sequences)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var sequence in sequences) Execute("DELETE FROM outbox WHERE sequence = $s", transaction, ("$s", sequence));
            transaction.Commit();
        }
    }

    private void Enqueue(RegistryEvent announced, long auditSequence, SqliteTransaction transaction)
    {
        var eventId = RegistryEvent.EventId(announced.Model, auditSequence);
        Execute("INSERT INTO outbox (event_id, topic, key, envelope, created_at) VALUES ($i, $t, $k, $e, $c)", transaction,
            ("$i", eventId), ("$t", announced.Topic), ("$k", announced.Model), ("$e", announced.Envelope(eventId)), ("$c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    private sealed class Lease(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
        }
    }

    // The audit log has an insert path only: no statement of this class updates or deletes audit rows.
    private long AppendAudit(AuditEntry entry, SqliteTransaction transaction) =>
        Convert.ToInt64(ScalarIn(transaction, "INSERT INTO audit (time, actor, action, model, from_version, to_version, reason, evidence) VALUES ($t, $a, $x, $m, $f, $to, $r, $e) RETURNING sequence",
            ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$a", entry.Actor), ("$x", entry.Action), ("$m", entry.Model),
            ("$f", entry.FromVersion), ("$to", entry.ToVersion), ("$r", entry.Reason), ("$e", string.IsNullOrEmpty(entry.EvidenceJson) ? "{}" : entry.EvidenceJson)));

    private SqliteCommand Command(string sql, SqliteTransaction? transaction, params (string Name, object Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    private int Execute(string sql, SqliteTransaction? transaction = null, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, transaction, parameters);
        return command.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string Name, object Value)[] parameters) => ScalarIn(null, sql, parameters);

    private object? ScalarIn(SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, transaction, parameters);
        return command.ExecuteScalar();
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>The aliases the registry manages.</summary>
public static class Aliases
{
    public const string Champion = "champion";
    public const string Challenger = "challenger";
}
