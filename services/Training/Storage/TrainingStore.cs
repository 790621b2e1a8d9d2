using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Training.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Cascade.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cascade.Training.Storage;

/// <summary>Training policies (versioned) and jobs with their status, in one SQLite file.</summary>
public sealed class TrainingStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    public TrainingStore(string path)
    {
        _connection = SqliteFiles.OpenDurable(path);
        Execute("""
            CREATE TABLE IF NOT EXISTS policies (model TEXT PRIMARY KEY, policy BLOB NOT NULL, labeled_at_last_job INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, model TEXT NOT NULL, job BLOB NOT NULL, queued_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS drift_pending (model TEXT PRIMARY KEY, due_at INTEGER NOT NULL, reason TEXT NOT NULL, alert_ids TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS drift_seen (dedup_key TEXT PRIMARY KEY, alert_id TEXT NOT NULL, seen_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS materializations (view TEXT PRIMARY KEY, event BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS job_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, queue TEXT NOT NULL, job BLOB NOT NULL, policy BLOB NOT NULL);
            """);
    }

    public TrainingPolicy Put(TrainingPolicySpec spec)
    {
        lock (_gate)
        {
            var current = Get(spec.Model);
            if (current is not null && current.Spec.Equals(spec)) return current;
            var policy = new TrainingPolicy
            {
                Spec = spec,
                Meta = new TrainingPolicyMeta { Version = (current?.Meta.Version ?? 0) + 1, UpdatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), LastJobAt = current?.Meta.LastJobAt },
            };
            Execute("INSERT INTO policies (model, policy) VALUES ($m, $p) ON CONFLICT (model) DO UPDATE SET policy = $p", ("$m", spec.Model), ("$p", policy.ToByteArray()));
            return policy;
        }
    }

    /// <summary>The policy <see cref="Put"/> would store (the current one when the spec equals it); writes nothing.</summary>
    public TrainingPolicy Preview(TrainingPolicySpec spec)
    {
        lock (_gate)
        {
            var current = Get(spec.Model);
            if (current is not null && current.Spec.Equals(spec)) return current;
            return new TrainingPolicy
            {
                Spec = spec,
                Meta = new TrainingPolicyMeta { Version = (current?.Meta.Version ?? 0) + 1, UpdatedAt = current?.Meta.UpdatedAt, LastJobAt = current?.Meta.LastJobAt },
            };
        }
    }

    public TrainingPolicy? Get(string model)
    {
        lock (_gate)
        {
            using var command = Command("SELECT policy FROM policies WHERE model = $m", ("$m", model));
            return command.ExecuteScalar() is byte[] bytes ? TrainingPolicy.Parser.ParseFrom(bytes) : null;
        }
    }

    public IReadOnlyList<TrainingPolicy> Policies()
    {
        lock (_gate)
        {
            using var command = Command("SELECT policy FROM policies ORDER BY model");
            using var reader = command.ExecuteReader();
            var policies = new List<TrainingPolicy>();
            while (reader.Read()) policies.Add(TrainingPolicy.Parser.ParseFrom((byte[])reader.GetValue(0)));
            return policies;
        }
    }

    /// <summary>Labeled rows the view had when the model's last job was queued (the "new labeled rows" trigger counts from it).</summary>
    public long LabeledAtLastJob(string model)
    {
        lock (_gate)
        {
            using var command = Command("SELECT labeled_at_last_job FROM policies WHERE model = $m", ("$m", model));
            return command.ExecuteScalar() is long value ? value : 0;
        }
    }

    /// <summary>
    /// Records a new job, its command for the workers (into the outbox, see <see cref="Messaging.JobOutbox"/>) and
    /// the policy's trigger bookkeeping, atomically.
    /// </summary>
    public void AddJob(TrainingJob job, OutboxCommand send, long labeledRows, bool answersDrift = false)
    {
        lock (_gate)
        {
            // A scoring job is not a training job: the policy's last job and labeled rows stay what training left.
            var policy = job.Spec.Kind == JobKind.Train ? Get(job.Spec.Model) : null;
            using var transaction = _connection.BeginTransaction();
            Execute("INSERT INTO jobs (id, model, job, queued_at) VALUES ($i, $m, $j, $t)", transaction, ("$i", job.Id), ("$m", job.Spec.Model), ("$j", job.ToByteArray()), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            if (policy is not null)
            {
                policy.Meta.LastJobAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
                Execute("UPDATE policies SET policy = $p, labeled_at_last_job = MAX(labeled_at_last_job, $l) WHERE model = $m", transaction, ("$p", policy.ToByteArray()), ("$l", labeledRows), ("$m", job.Spec.Model));
            }
            if (answersDrift)
            {
                // The pending drift retrain becomes this job in the same transaction: a crash cannot start it twice.
                Execute("DELETE FROM drift_pending WHERE model = $m", transaction, ("$m", job.Spec.Model));
            }
            Execute("INSERT INTO job_outbox (job_id, queue, job, policy) VALUES ($i, $q, $j, $p)", transaction, ("$i", job.Id), ("$q", send.Queue), ("$j", job.ToByteArray()), ("$p", send.Policy));
            transaction.Commit();
        }
    }

    /// <summary>The oldest commands not yet handed to the message broker, in the order their jobs were created.</summary>
    public IReadOnlyList<OutboxEntry> PendingCommands(int limit)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT seq, job_id, queue, job, policy FROM job_outbox ORDER BY seq LIMIT $l";
            command.Parameters.AddWithValue("$l", limit);
            using var reader = command.ExecuteReader();
            var entries = new List<OutboxEntry>();
            while (reader.Read()) entries.Add(new OutboxEntry(reader.GetInt64(0), reader.GetString(1), new OutboxCommand(reader.GetString(2), (byte[])reader.GetValue(4)), (byte[])reader.GetValue(3)));
            return entries;
        }
    }

    /// <summary>The broker has the command: it leaves the outbox.</summary>
    public void CommandSent(long sequence)
    {
        lock (_gate) Execute("DELETE FROM job_outbox WHERE seq = $s", null, ("$s", sequence));
    }

    /// <summary>
    /// Applies a worker's report. A report never moves a finished job back (a late "running" from a redelivered
    /// command after success), and attempts only grow.
    /// </summary>
    public void UpdateJobStatus(string jobId, TrainingJobStatus status)
    {
        lock (_gate)
        {
            var job = GetJob(jobId);
            if (job is null) return;
            var finished = job.Status.State is JobState.Succeeded or JobState.Cancelled;
            if (finished && status.State != JobState.Succeeded) return;
            job.Status = status;
            Execute("UPDATE jobs SET job = $j WHERE id = $i", ("$j", job.ToByteArray()), ("$i", job.Id));
        }
    }

    /// <summary>
    /// Cancels a job that has not finished, atomically: it becomes CANCELLED and its command, if still in the outbox,
    /// never leaves it; a command already sent is skipped by the worker that takes it (it asks first). Returns the
    /// job as it now is (a finished one unchanged), or null when there is none.
    /// </summary>
    public TrainingJob? CancelJob(string id, DateTimeOffset at)
    {
        lock (_gate)
        {
            var job = GetJob(id);
            if (job is null || job.Status.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled) return job;
            job.Status.State = JobState.Cancelled;
            job.Status.FinishedAt = Timestamp.FromDateTimeOffset(at);
            using var transaction = _connection.BeginTransaction();
            Execute("UPDATE jobs SET job = $j WHERE id = $i", transaction, ("$j", job.ToByteArray()), ("$i", job.Id));
            Execute("DELETE FROM job_outbox WHERE job_id = $i", transaction, ("$i", job.Id));
            transaction.Commit();
            return job;
        }
    }

    /// <summary>Remembers a view's latest materialization: after a restart, triggers still know what data there is.</summary>
    public void SaveMaterialization(FeaturesMaterialized materialized)
    {
        lock (_gate)
        {
            Execute("INSERT INTO materializations (view, event) VALUES ($v, $e) ON CONFLICT (view) DO UPDATE SET event = $e",
                ("$v", materialized.FeatureView), ("$e", materialized.ToByteArray()));
        }
    }

    public IReadOnlyList<FeaturesMaterialized> Materializations()
    {
        lock (_gate)
        {
            using var command = Command("SELECT event FROM materializations");
            using var reader = command.ExecuteReader();
            var events = new List<FeaturesMaterialized>();
            while (reader.Read()) events.Add(FeaturesMaterialized.Parser.ParseFrom((byte[])reader.GetValue(0)));
            return events;
        }
    }

    public void UpdateJob(TrainingJob job)
    {
        lock (_gate)
        {
            Execute("UPDATE jobs SET job = $j WHERE id = $i", ("$j", job.ToByteArray()), ("$i", job.Id));
        }
    }

    public TrainingJob? GetJob(string id)
    {
        lock (_gate)
        {
            using var command = Command("SELECT job FROM jobs WHERE id = $i", ("$i", id));
            return command.ExecuteScalar() is byte[] bytes ? TrainingJob.Parser.ParseFrom(bytes) : null;
        }
    }

    public IReadOnlyList<TrainingJob> Jobs(string? model, int limit)
    {
        lock (_gate)
        {
            using var command = Command("SELECT job FROM jobs WHERE ($m = '' OR model = $m) ORDER BY queued_at DESC LIMIT $n", ("$m", model ?? string.Empty), ("$n", limit));
            using var reader = command.ExecuteReader();
            var jobs = new List<TrainingJob>();
            while (reader.Read()) jobs.Add(TrainingJob.Parser.ParseFrom((byte[])reader.GetValue(0)));
            return jobs;
        }
    }

    /// <summary>A drift retrain waiting for its debounce or the policy's cooldown to pass.</summary>
    public sealed record PendingDriftRetrain(string Model, DateTimeOffset DueAt, string Reason, IReadOnlyList<string> AlertIds);

    /// <summary>
    /// Records a drift alert for a model: the first alert of an ongoing drift (its dedup key) schedules a retrain at
    /// <paramref name="dueAt"/>, or joins the retrain already waiting. Returns false when the alert's drift was seen before.
    /// </summary>
    public bool AddDriftAlert(string model, string dedupKey, string alertId, string reason, DateTimeOffset dueAt)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using (var seen = Command("INSERT OR IGNORE INTO drift_seen (dedup_key, alert_id, seen_at) VALUES ($k, $a, $t)", transaction, ("$k", dedupKey), ("$a", alertId), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())))
            {
                if (seen.ExecuteNonQuery() == 0)
                {
                    return false;
                }
            }
            Execute("""
                INSERT INTO drift_pending (model, due_at, reason, alert_ids) VALUES ($m, $d, $r, $a)
                ON CONFLICT (model) DO UPDATE SET alert_ids = alert_ids || ',' || $a
                """, transaction, ("$m", model), ("$d", dueAt.ToUnixTimeMilliseconds()), ("$r", reason), ("$a", alertId));
            transaction.Commit();
            return true;
        }
    }

    /// <summary>Drift retrains waiting, soonest first.</summary>
    public IReadOnlyList<PendingDriftRetrain> PendingDriftRetrains()
    {
        lock (_gate)
        {
            using var command = Command("SELECT model, due_at, reason, alert_ids FROM drift_pending ORDER BY due_at");
            using var reader = command.ExecuteReader();
            var pending = new List<PendingDriftRetrain>();
            while (reader.Read())
            {
                pending.Add(new PendingDriftRetrain(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3).Split(',')));
            }
            return pending;
        }
    }

    /// <summary>Drops a waiting drift retrain (its policy no longer retrains on drift).</summary>
    public void DropDriftRetrain(string model)
    {
        lock (_gate)
        {
            Execute("DELETE FROM drift_pending WHERE model = $m", ("$m", model));
        }
    }

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters) => Command(sql, null, parameters);

    private SqliteCommand Command(string sql, SqliteTransaction? transaction, params (string Name, object Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters) => Execute(sql, null, parameters);

    private void Execute(string sql, SqliteTransaction? transaction, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, transaction, parameters);
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
