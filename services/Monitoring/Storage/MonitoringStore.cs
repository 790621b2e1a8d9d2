using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Contracts.Events.V1;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.History;
using Cascade.Monitoring.Options;
using Google.Protobuf;
using Cascade.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cascade.Monitoring.Storage;

/// <summary>
/// Monitoring's durable state in one SQLite file: which version of every model is watched (with its artifact, to
/// reload the reference profile), each monitor's checkpoint (windows, detectors, dedup memory as JSON; the predictions
/// waiting for labels in chunks, <see cref="PendingPredictionTables"/>, written incrementally), and every alert
/// raised, with who acknowledged it, and the drift history of every evaluated window (<see cref="DriftHistoryTables"/>).
/// Monitors are checkpointed before the consumer commits, so a restart resumes with the same windows and never raises
/// an alert twice for the same evidence; the history is stored in the same transaction as the checkpoint.
/// </summary>
public sealed class MonitoringStore : IDisposable
{
    private static readonly JsonSerializerOptions CheckpointJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private readonly DriftHistoryOptions _history;
    private readonly PendingPredictionTables _pending;

    public MonitoringStore(string path, DriftHistoryOptions? history = null)
    {
        _history = history ?? new DriftHistoryOptions();
        _connection = SqliteFiles.OpenDurable(path);
        using var command = _connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS monitors (model TEXT PRIMARY KEY, version INTEGER NOT NULL, artifact_sha256 TEXT NOT NULL, state TEXT);
            CREATE TABLE IF NOT EXISTS alerts (alert_id TEXT PRIMARY KEY, model TEXT NOT NULL, severity INTEGER NOT NULL, raised_at INTEGER NOT NULL,
                                               alert BLOB NOT NULL, acknowledged_by TEXT, acknowledged_at INTEGER);
            CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (raised_at);
            """ + DriftHistoryTables.Schema + PendingPredictionTables.Schema;
        command.ExecuteNonQuery();
        _pending = new PendingPredictionTables(_connection);
    }

    /// <summary>A watched model: its version, artifact and last checkpoint (null before the first one).</summary>
    public sealed record WatchedModel(string Model, int Version, string ArtifactSha256, MonitorState? State);

    public IReadOnlyList<WatchedModel> Watched()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT model, version, artifact_sha256, state FROM monitors ORDER BY model";
            var watched = new List<WatchedModel>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var state = reader.IsDBNull(3) ? null : JsonSerializer.Deserialize<MonitorState>(reader.GetString(3), CheckpointJson);
                    watched.Add(new WatchedModel(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), state));
                }
            }
            // Checkpoints written before the waiting predictions had their own table hold them in the JSON (and none in
            // the table); later ones hold none in the JSON. Either way the set is the two together.
            return watched.Select(w => w.State is null ? w : w with { State = w.State with { Pending = [.. w.State.Pending, .. _pending.Read(w.Model)] } }).ToArray();
        }
    }

    /// <summary>
    /// Saves, in one transaction, the watched version of models that switched, the checkpoints of monitors that changed
    /// (null: the monitor has no state, and no waiting predictions) and the windows they evaluated since the last checkpoint.
    /// </summary>
    public void Checkpoint(IEnumerable<(string Model, int Version, string ArtifactSha256, MonitorCheckpoint? Checkpoint)> monitors, IEnumerable<DriftHistoryBatch>? history = null)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO monitors (model, version, artifact_sha256, state) VALUES ($m, $v, $s, $state)
                ON CONFLICT (model) DO UPDATE SET version = $v, artifact_sha256 = $s, state = $state
                """;
            var model = command.Parameters.Add("$m", SqliteType.Text);
            var version = command.Parameters.Add("$v", SqliteType.Integer);
            var sha = command.Parameters.Add("$s", SqliteType.Text);
            var state = command.Parameters.Add("$state", SqliteType.Text);
            foreach (var monitor in monitors)
            {
                model.Value = monitor.Model;
                version.Value = monitor.Version;
                sha.Value = monitor.ArtifactSha256;
                // The waiting predictions go to their own table as changes; the JSON never carries them.
                state.Value = monitor.Checkpoint is null ? DBNull.Value : JsonSerializer.Serialize(monitor.Checkpoint.State with { Pending = [] }, CheckpointJson);
                command.ExecuteNonQuery();
                if (monitor.Checkpoint is null) _pending.Delete(monitor.Model);
                else _pending.Write(monitor.Model, monitor.Checkpoint.Pending);
            }
            foreach (var batch in history ?? []) DriftHistoryTables.Write(_connection, transaction, batch, _history, CheckpointJson);
            transaction.Commit();
        }
    }

    /// <summary>Stores an alert; false when it was stored before (a redelivered record raised it again).</summary>
    public bool AddAlert(DriftDetected alert)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR IGNORE INTO alerts (alert_id, model, severity, raised_at, alert) VALUES ($i, $m, $s, $t, $a)";
            command.Parameters.AddWithValue("$i", alert.AlertId);
            command.Parameters.AddWithValue("$m", alert.Model);
            command.Parameters.AddWithValue("$s", (int)alert.Severity);
            command.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$a", alert.ToByteArray());
            return command.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>The most recent alerts, newest first; <paramref name="model"/> empty means every model.</summary>
    public IReadOnlyList<DriftDetected> RecentAlerts(string? model, int limit)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT alert FROM alerts WHERE ($m = '' OR model = $m) ORDER BY raised_at DESC, rowid DESC LIMIT $n";
            command.Parameters.AddWithValue("$m", model ?? string.Empty);
            command.Parameters.AddWithValue("$n", limit);
            using var reader = command.ExecuteReader();
            var alerts = new List<DriftDetected>();
            while (reader.Read()) alerts.Add(DriftDetected.Parser.ParseFrom((byte[])reader.GetValue(0)));
            return alerts;
        }
    }

    /// <summary>The acknowledgements of those of <paramref name="alertIds"/> that were acknowledged, by alert id.</summary>
    public IReadOnlyDictionary<string, StoredAcknowledgement> Acknowledgements(IReadOnlyCollection<string> alertIds)
    {
        var acknowledged = new Dictionary<string, StoredAcknowledgement>(StringComparer.Ordinal);
        if (alertIds.Count == 0) return acknowledged;
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            // One query for the whole list: the ids travel as a JSON array, so the statement is the same for any count.
            command.CommandText = """
                SELECT alert_id, acknowledged_by, acknowledged_at FROM alerts
                WHERE acknowledged_by IS NOT NULL AND alert_id IN (SELECT value FROM json_each($ids))
                """;
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(alertIds));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                acknowledged[reader.GetString(0)] = new StoredAcknowledgement(reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));
            }
        }
        return acknowledged;
    }

    /// <summary>Marks an alert acknowledged; false when no such alert exists.</summary>
    public bool Acknowledge(string alertId, string actor)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "UPDATE alerts SET acknowledged_by = $a, acknowledged_at = $t WHERE alert_id = $i";
            command.Parameters.AddWithValue("$a", actor);
            command.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$i", alertId);
            return command.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>The drift history <paramref name="query"/> asks for (see <see cref="DriftHistoryTables.Read"/>).</summary>
    public IReadOnlyList<StoredDriftSeries> DriftHistory(DriftHistoryQuery query)
    {
        lock (_gate) return DriftHistoryTables.Read(_connection, query, CheckpointJson);
    }

    /// <summary>Whether <paramref name="model"/> is or was monitored, and the features and versions its history has.</summary>
    public (bool Monitored, IReadOnlySet<string> Features, IReadOnlyList<int> Versions) DriftHistoryCatalog(string model)
    {
        lock (_gate)
        {
            var (features, versions) = DriftHistoryTables.Known(_connection, model);
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT EXISTS (SELECT 1 FROM monitors WHERE model = $m)";
            command.Parameters.AddWithValue("$m", model);
            var watched = (long)command.ExecuteScalar()! == 1;
            return (watched || versions.Count > 0, features, versions);
        }
    }

    public void Dispose()
    {
        _pending.Dispose(); // its statements first: SQLite keeps a connection open while any is unfinalized
        _connection.Dispose();
    }
}
