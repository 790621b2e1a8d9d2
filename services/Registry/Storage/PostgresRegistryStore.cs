using Cascade.Contracts.Registry.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace Cascade.Registry.Storage;

/// <summary>
/// The registry's metadata in PostgreSQL, for the distributed deployment where registry replicas share it.
/// Numbered migrations are applied at start under an advisory lock (one replica migrates, the others wait); every
/// change of a model's versions or aliases takes that model's advisory lock inside its transaction, so two replicas
/// never hand out the same version number or move an alias from a stale value. The outbox is relayed by one replica
/// at a time (a transaction-scoped advisory lock), so replicas never interleave their copies of the same events.
/// </summary>
public sealed class PostgresRegistryStore : IRegistryStore, IDisposable
{
    /// <summary>Migrations in order; a new schema change is a new entry, never an edit of an old one.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE models (name TEXT PRIMARY KEY, description TEXT NOT NULL, task INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL);
        CREATE TABLE versions (model TEXT NOT NULL REFERENCES models (name), version INTEGER NOT NULL, spec BYTEA NOT NULL, status INTEGER NOT NULL,
          created_at TIMESTAMPTZ NOT NULL, registered_by TEXT NOT NULL, job_id TEXT NOT NULL, PRIMARY KEY (model, version));
        CREATE INDEX versions_by_job ON versions (model, job_id);
        CREATE TABLE aliases (model TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (model, alias));
        CREATE TABLE audit (sequence BIGSERIAL PRIMARY KEY, time TIMESTAMPTZ NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
          model TEXT NOT NULL, from_version INTEGER NOT NULL, to_version INTEGER NOT NULL, reason TEXT NOT NULL, evidence TEXT NOT NULL);
        CREATE INDEX audit_by_model ON audit (model, sequence);
        """,
        // The audit log is append-only in the database too, not only in this class.
        """
        CREATE FUNCTION audit_is_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
        """,
        // The transactional outbox: events written with the change they announce, deleted once the log has them.
        """
        CREATE TABLE outbox (sequence BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, topic TEXT NOT NULL, key TEXT NOT NULL,
          envelope BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL);
        """,
        // Retention: when the version's artifact was collected (null while it is kept).
        """
        ALTER TABLE versions ADD COLUMN artifact_collected_at TIMESTAMPTZ NULL;
        """,
        // Traffic policies live with their model (champion only until one is set); the revision is the audit sequence of the last change.
        """
        ALTER TABLE models ADD COLUMN canary_percent DOUBLE PRECISION NOT NULL DEFAULT 0,
          ADD COLUMN shadow BOOLEAN NOT NULL DEFAULT false, ADD COLUMN traffic_revision BIGINT NOT NULL DEFAULT 0;
        """,
    ];

    private const long MigrationLock = 0x43617363616465; // "Cascade"
    private const long OutboxLock = 0x4361736361646F; // "Cascado": the outbox relay's lease

    private readonly NpgsqlDataSource _source;

    public PostgresRegistryStore(string connectionString)
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
            return Convert.ToInt32(Scalar(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
        }
    }

    private void Migrate()
    {
        using var connection = _source.OpenConnection();
        Execute(connection, null, "SELECT pg_advisory_lock(@l)", ("l", MigrationLock));
        try
        {
            Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)");
            var applied = Convert.ToInt32(Scalar(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
            for (var i = applied; i < Migrations.Length; i++)
            {
                using var transaction = connection.BeginTransaction();
                Execute(connection, transaction, Migrations[i]);
                Execute(connection, transaction, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, now())", ("v", i + 1));
                transaction.Commit();
            }
        }
        finally
        {
            Execute(connection, null, "SELECT pg_advisory_unlock(@l)", ("l", MigrationLock));
        }
    }

    public Model EnsureModel(string name, TaskType task, string description = "")
    {
        using (var connection = _source.OpenConnection())
        {
            Execute(connection, null, "INSERT INTO models (name, description, task, created_at) VALUES (@n, @d, @t, now()) ON CONFLICT (name) DO NOTHING",
                ("n", name), ("d", description), ("t", (int)task));
        }
        return GetModel(name)!;
    }

    public Model? GetModel(string name)
    {
        using var connection = _source.OpenConnection();
        return ReadModel(connection, null, name);
    }

    private static Model? ReadModel(NpgsqlConnection connection, NpgsqlTransaction? transaction, string name)
    {
        using var command = Command(connection, transaction, """
            SELECT name, description, task, created_at, (SELECT COALESCE(MAX(version), 0) FROM versions WHERE model = @n),
                   COALESCE((SELECT version FROM aliases WHERE model = @n AND alias = @c), 0), COALESCE((SELECT version FROM aliases WHERE model = @n AND alias = @h), 0),
                   canary_percent, shadow, traffic_revision
            FROM models WHERE name = @n
            """, ("n", name), ("c", Aliases.Champion), ("h", Aliases.Challenger));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new Model
        {
            Name = reader.GetString(0),
            Description = reader.GetString(1),
            Task = (TaskType)reader.GetInt32(2),
            CreatedAt = Timestamp.FromDateTime(reader.GetDateTime(3).ToUniversalTime()),
            LatestVersion = reader.GetInt32(4),
            ChampionVersion = reader.GetInt32(5),
            ChallengerVersion = reader.GetInt32(6),
            TrafficPolicy = new TrafficPolicy { CanaryPercent = reader.GetDouble(7), Shadow = reader.GetBoolean(8), Revision = reader.GetInt64(9) },
        };
    }

    public IReadOnlyList<Model> ListModels()
    {
        var names = new List<string>();
        using (var connection = _source.OpenConnection())
        using (var command = Command(connection, null, "SELECT name FROM models ORDER BY name"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) names.Add(reader.GetString(0));
        }
        return names.Select(n => GetModel(n)!).ToArray();
    }

    public ModelVersion? FindByJob(string model, string jobId)
    {
        using var connection = _source.OpenConnection();
        var version = Scalar(connection, null, "SELECT version FROM versions WHERE model = @m AND job_id = @j AND job_id <> ''", ("m", model), ("j", jobId));
        return version is int v ? GetVersion(model, v) : null;
    }

    public ModelVersion AddVersion(ModelVersionSpec spec, string registeredBy, Func<int, RegistryEvent>? announce = null)
    {
        int version;
        using (var connection = _source.OpenConnection())
        using (var transaction = connection.BeginTransaction())
        {
            LockModel(connection, transaction, spec.Model);
            version = Convert.ToInt32(Scalar(connection, transaction, "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE model = @m", ("m", spec.Model)));
            Execute(connection, transaction, "INSERT INTO versions (model, version, spec, status, created_at, registered_by, job_id) VALUES (@m, @v, @s, @st, now(), @r, @j)",
                ("m", spec.Model), ("v", version), ("s", spec.ToByteArray()), ("st", (int)VersionStatus.Registered), ("r", registeredBy), ("j", spec.Lineage?.TrainingJobId ?? string.Empty));
            var audited = AppendAudit(connection, transaction, new AuditEntry { Actor = registeredBy, Action = "Registered", Model = spec.Model, ToVersion = version, Reason = spec.Lineage?.TriggerReason ?? string.Empty });
            if (announce is not null) Enqueue(connection, transaction, announce(version), audited);
            transaction.Commit();
        }
        return GetVersion(spec.Model, version)!;
    }

    public ModelVersion? GetVersion(string model, int version)
    {
        using var connection = _source.OpenConnection();
        ModelVersionMeta meta;
        ModelVersionSpec spec;
        using (var command = Command(connection, null, "SELECT spec, status, created_at, registered_by, artifact_collected_at FROM versions WHERE model = @m AND version = @v", ("m", model), ("v", version)))
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read()) return null;
            spec = ModelVersionSpec.Parser.ParseFrom((byte[])reader.GetValue(0));
            meta = new ModelVersionMeta
            {
                Version = version,
                Status = (VersionStatus)reader.GetInt32(1),
                CreatedAt = Timestamp.FromDateTime(reader.GetDateTime(2).ToUniversalTime()),
                RegisteredBy = reader.GetString(3),
            };
            if (!reader.IsDBNull(4)) meta.ArtifactCollectedAt = Timestamp.FromDateTime(reader.GetDateTime(4).ToUniversalTime());
        }
        using (var aliases = Command(connection, null, "SELECT alias FROM aliases WHERE model = @m AND version = @v ORDER BY alias", ("m", model), ("v", version)))
        using (var reader = aliases.ExecuteReader())
        {
            while (reader.Read()) meta.Aliases.Add(reader.GetString(0));
        }
        return new ModelVersion { Spec = spec, Meta = meta };
    }

    public IReadOnlyList<ModelVersion> ListVersions(string model) => ListVersions(model, 0, int.MaxValue);

    public IReadOnlyList<ModelVersion> ListVersions(string model, int afterVersion, int limit)
    {
        var numbers = new List<int>();
        using (var connection = _source.OpenConnection())
        using (var command = Command(connection, null, "SELECT version FROM versions WHERE model = @m AND version > @after ORDER BY version LIMIT @limit",
            ("m", model), ("after", afterVersion), ("limit", (long)limit)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) numbers.Add(reader.GetInt32(0));
        }
        return numbers.Select(n => GetVersion(model, n)!).ToArray();
    }

    public int ResolveAlias(string model, string alias)
    {
        using var connection = _source.OpenConnection();
        return Scalar(connection, null, "SELECT version FROM aliases WHERE model = @m AND alias = @a", ("m", model), ("a", alias)) is int v ? v : 0;
    }

    public bool MoveAlias(string model, string alias, int expectedCurrent, int to, AuditEntry audit, RegistryEvent? announce = null)
    {
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        LockModel(connection, transaction, model);
        var current = Scalar(connection, transaction, "SELECT version FROM aliases WHERE model = @m AND alias = @a", ("m", model), ("a", alias)) is int v ? v : 0;
        if (current != expectedCurrent)
        {
            return false; // another replica moved it first: the caller decides again
        }
        // Under the model's lock, so retention cannot collect the version between this check and the commit.
        if (Scalar(connection, transaction, "SELECT artifact_collected_at IS NOT NULL FROM versions WHERE model = @m AND version = @v", ("m", model), ("v", to)) is true)
        {
            throw new InvalidOperationException(RegistryStoreErrors.ArtifactCollected(model, to));
        }
        Execute(connection, transaction, "INSERT INTO aliases (model, alias, version) VALUES (@m, @a, @v) ON CONFLICT (model, alias) DO UPDATE SET version = @v", ("m", model), ("a", alias), ("v", to));
        if (alias == Aliases.Champion)
        {
            if (current != 0) SetStatus(connection, transaction, model, current, VersionStatus.Archived);
            SetStatus(connection, transaction, model, to, VersionStatus.Champion);
            Execute(connection, transaction, "DELETE FROM aliases WHERE model = @m AND alias = @a AND version = @v", ("m", model), ("a", Aliases.Challenger), ("v", to));
        }
        else
        {
            SetStatus(connection, transaction, model, to, VersionStatus.Challenger);
        }
        var audited = AppendAudit(connection, transaction, audit);
        if (announce is not null) Enqueue(connection, transaction, announce, audited);
        transaction.Commit();
        return true;
    }

    public Model? SetTrafficPolicy(string model, TrafficPolicy policy, AuditEntry audit, Func<long, RegistryEvent> announce)
    {
        using (var connection = _source.OpenConnection())
        using (var transaction = connection.BeginTransaction())
        {
            // The model's lock orders concurrent changes from several replicas: revisions and outbox order agree.
            LockModel(connection, transaction, model);
            if (Scalar(connection, transaction, "SELECT 1 FROM models WHERE name = @m", ("m", model)) is null)
            {
                return null;
            }
            var audited = AppendAudit(connection, transaction, audit);
            Execute(connection, transaction, "UPDATE models SET canary_percent = @c, shadow = @s, traffic_revision = @r WHERE name = @m",
                ("c", policy.CanaryPercent), ("s", policy.Shadow), ("r", audited), ("m", model));
            Enqueue(connection, transaction, announce(audited), audited);
            // Read before commit, under the lock: after it another replica's change could already be the stored one,
            // and this caller would be told a revision it did not write.
            var changed = ReadModel(connection, transaction, model);
            transaction.Commit();
            return changed;
        }
    }

    public void SetStatus(string model, int version, VersionStatus status, AuditEntry audit)
    {
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        SetStatus(connection, transaction, model, version, status);
        AppendAudit(connection, transaction, audit);
        transaction.Commit();
    }

    public bool MarkArtifactCollected(string model, int version, AuditEntry audit)
    {
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        // The model's lock orders this against alias moves: a version promoted meanwhile is not collected.
        LockModel(connection, transaction, model);
        var aliased = Convert.ToInt64(Scalar(connection, transaction, "SELECT COUNT(*) FROM aliases WHERE model = @m AND version = @v", ("m", model), ("v", version))) > 0;
        if (aliased || Execute(connection, transaction, "UPDATE versions SET artifact_collected_at = now() WHERE model = @m AND version = @v AND artifact_collected_at IS NULL",
                ("m", model), ("v", version)) == 0)
        {
            return false; // became champion or challenger since the decision, or already collected
        }
        AppendAudit(connection, transaction, audit);
        transaction.Commit();
        return true;
    }

    public IReadOnlyList<AuditEntry> Audit(string model, long afterSequence)
    {
        using var connection = _source.OpenConnection();
        using var command = Command(connection, null, "SELECT sequence, time, actor, action, model, from_version, to_version, reason, evidence FROM audit WHERE model = @m AND sequence > @s ORDER BY sequence", ("m", model), ("s", afterSequence));
        using var reader = command.ExecuteReader();
        var entries = new List<AuditEntry>();
        while (reader.Read())
        {
            entries.Add(new AuditEntry
            {
                Sequence = reader.GetInt64(0),
                Time = Timestamp.FromDateTime(reader.GetDateTime(1).ToUniversalTime()),
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

    public IDisposable? TryLeaseOutbox()
    {
        // A transaction-scoped lock: it ends with the transaction, so a relay that dies (or whose connection drops)
        // cannot leave it held, and a pooled connection never carries it.
        var connection = _source.OpenConnection();
        try
        {
            var transaction = connection.BeginTransaction();
            if (Scalar(connection, transaction, "SELECT pg_try_advisory_xact_lock(@l)", ("l", OutboxLock)) is true)
            {
                return new Lease(connection, transaction);
            }
            transaction.Dispose();
            connection.Dispose();
            return null;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public IReadOnlyList<PendingEvent> PendingEvents(int limit)
    {
        using var connection = _source.OpenConnection();
        using var command = Command(connection, null, "SELECT sequence, event_id, topic, key, envelope FROM outbox ORDER BY sequence LIMIT @n", ("n", limit));
        using var reader = command.ExecuteReader();
        var events = new List<PendingEvent>();
        while (reader.Read()) events.Add(new PendingEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (byte[])reader.GetValue(4)));
        return events;
    }

    public void EventsPublished(IReadOnlyList<long> sequences)
    {
        using var connection = _source.OpenConnection();
        Execute(connection, null, "DELETE FROM outbox WHERE sequence = ANY(@s)", ("s", sequences.ToArray()));
    }

    private static void Enqueue(NpgsqlConnection connection, NpgsqlTransaction transaction, RegistryEvent announced, long auditSequence)
    {
        var eventId = RegistryEvent.EventId(announced.Model, auditSequence);
        Execute(connection, transaction, "INSERT INTO outbox (event_id, topic, key, envelope, created_at) VALUES (@i, @t, @k, @e, now())",
            ("i", eventId), ("t", announced.Topic), ("k", announced.Model), ("e", announced.Envelope(eventId)));
    }

    private sealed class Lease(NpgsqlConnection connection, NpgsqlTransaction transaction) : IDisposable
    {
        public void Dispose()
        {
            transaction.Dispose(); // rolls back: the lease's transaction writes nothing, it only holds the lock
            connection.Dispose();
        }
    }

    private static void LockModel(NpgsqlConnection connection, NpgsqlTransaction transaction, string model) =>
        Execute(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext(@m))", ("m", model));

    private static void SetStatus(NpgsqlConnection connection, NpgsqlTransaction transaction, string model, int version, VersionStatus status) =>
        Execute(connection, transaction, "UPDATE versions SET status = @s WHERE model = @m AND version = @v", ("s", (int)status), ("m", model), ("v", version));

    private static long AppendAudit(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditEntry entry) =>
        Convert.ToInt64(Scalar(connection, transaction, "INSERT INTO audit (time, actor, action, model, from_version, to_version, reason, evidence) VALUES (now(), @a, @x, @m, @f, @t, @r, @e) RETURNING sequence",
            ("a", entry.Actor), ("x", entry.Action), ("m", entry.Model), ("f", entry.FromVersion), ("t", entry.ToVersion), ("r", entry.Reason),
            ("e", string.IsNullOrEmpty(entry.EvidenceJson) ? "{}" : entry.EvidenceJson)));

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    private static int Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteScalar();
    }

    public void Dispose() => _source.Dispose();
}
