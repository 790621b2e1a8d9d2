using System.Text.Json;
using Cascade.Contracts.Features.V1;
using Cascade.Features.Domain;
using Cascade.Features.Erasure;
using Cascade.Features.Grpc;
using Google.Protobuf;
using Cascade.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cascade.Features.Storage;

/// <summary>
/// The feature service's durable state: feature view versions (each with the vocabularies its <c>top_k</c> columns
/// resolved when it was applied), every entity's window state, and the offset up to which each partition has been
/// applied. States and offsets are saved in one transaction (a checkpoint), so after a crash the service resumes
/// exactly where its state is, and skips records it had already applied.
/// </summary>
public sealed class FeatureStateStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    // Found by fuzzing: a dataset whose non_finite policy allows NaN and infinity delivered ∞, which plain JSON cannot
    // hold, and every feature view over it dead-lettered the record instead of keeping it.
    private static readonly JsonSerializerOptions StateJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public FeatureStateStore(string path)
    {
        _connection = SqliteFiles.OpenDurable(path);
        using var command = _connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS views (name TEXT NOT NULL, version INTEGER NOT NULL, spec BLOB NOT NULL, PRIMARY KEY (name, version));
            CREATE TABLE IF NOT EXISTS view_vocabularies (name TEXT NOT NULL, version INTEGER NOT NULL, meta BLOB NOT NULL, PRIMARY KEY (name, version));
            CREATE TABLE IF NOT EXISTS entity_states (view TEXT NOT NULL, entity TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (view, entity)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS applied_offsets (view TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL, PRIMARY KEY (view, partition)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS erased_entities (dataset TEXT NOT NULL, entity TEXT NOT NULL, erased_at INTEGER NOT NULL, through TEXT NOT NULL, PRIMARY KEY (dataset, entity)) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Stores a new version of a view unless its spec equals the current one; returns the current definition. The
    /// vocabularies <paramref name="resolved"/> holds for <c>top_k</c> columns (by column) are stored with the version:
    /// they change only with a new version, never by applying the same spec again.
    /// </summary>
    /// <exception cref="ArgumentException">What is wrong with the spec.</exception>
    public FeatureViewDefinition Apply(FeatureViewSpec spec, IReadOnlyDictionary<string, IReadOnlyList<string>>? resolved = null)
    {
        lock (_gate)
        {
            var current = Latest(spec.Name);
            if (current is not null && current.Spec.Equals(spec)) return current;
            var version = (current?.Version ?? 0) + 1;
            var definition = FeatureViewDefinition.From(spec, version, resolved);
            using var transaction = _connection.BeginTransaction();
            using (var command = _connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO views (name, version, spec) VALUES ($n, $v, $s)";
                command.Parameters.AddWithValue("$n", spec.Name);
                command.Parameters.AddWithValue("$v", version);
                command.Parameters.AddWithValue("$s", spec.ToByteArray());
                command.ExecuteNonQuery();
            }
            if (definition.Categoricals.Count > 0)
            {
                using var command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO view_vocabularies (name, version, meta) VALUES ($n, $v, $m)";
                command.Parameters.AddWithValue("$n", spec.Name);
                command.Parameters.AddWithValue("$v", version);
                command.Parameters.AddWithValue("$m", new FeatureViewMeta { Version = version, Categoricals = { CategoricalMapping.ToProto(definition.Categoricals) } }.ToByteArray());
                command.ExecuteNonQuery();
            }
            transaction.Commit();
            return definition;
        }
    }

    /// <summary>
    /// The definition <see cref="Apply"/> would return (the current version when the spec equals it, else the next),
    /// validated the same way; writes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">What is wrong with the spec.</exception>
    public FeatureViewDefinition Preview(FeatureViewSpec spec, IReadOnlyDictionary<string, IReadOnlyList<string>>? resolved = null)
    {
        lock (_gate)
        {
            var current = Latest(spec.Name);
            if (current is not null && current.Spec.Equals(spec)) return current;
            return FeatureViewDefinition.From(spec, (current?.Version ?? 0) + 1, resolved);
        }
    }

    /// <summary>The latest version of every view.</summary>
    public IReadOnlyList<FeatureViewDefinition> Views()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"{SelectViews} WHERE v.version = (SELECT MAX(version) FROM views WHERE name = v.name) ORDER BY v.name";
            using var reader = command.ExecuteReader();
            var views = new List<FeatureViewDefinition>();
            while (reader.Read()) views.Add(Read(reader));
            return views;
        }
    }

    public FeatureViewDefinition? Latest(string name)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"{SelectViews} WHERE v.name = $n ORDER BY v.version DESC LIMIT 1";
            command.Parameters.AddWithValue("$n", name);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }
    }

    private const string SelectViews = "SELECT v.spec, v.version, w.meta FROM views v LEFT JOIN view_vocabularies w ON w.name = v.name AND w.version = v.version";

    private static FeatureViewDefinition Read(SqliteDataReader reader)
    {
        var spec = FeatureViewSpec.Parser.ParseFrom((byte[])reader.GetValue(0));
        var resolved = reader.IsDBNull(2)
            ? null
            : FeatureViewMeta.Parser.ParseFrom((byte[])reader.GetValue(2)).Categoricals.ToDictionary(c => c.Column, c => (IReadOnlyList<string>)c.Vocabulary.ToArray(), StringComparer.Ordinal);
        return FeatureViewDefinition.From(spec, reader.GetInt32(1), resolved);
    }

    /// <summary>Every entity state and the applied offsets of a view (at start).</summary>
    public (Dictionary<string, EntityState> States, Dictionary<int, long> Applied) Load(string view)
    {
        lock (_gate)
        {
            var states = new Dictionary<string, EntityState>(StringComparer.Ordinal);
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT entity, state FROM entity_states WHERE view = $v";
                command.Parameters.AddWithValue("$v", view);
                using var reader = command.ExecuteReader();
                while (reader.Read()) states[reader.GetString(0)] = JsonSerializer.Deserialize<EntityState>(reader.GetString(1), StateJson)!;
            }
            var applied = new Dictionary<int, long>();
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT partition, next_offset FROM applied_offsets WHERE view = $v";
                command.Parameters.AddWithValue("$v", view);
                using var reader = command.ExecuteReader();
                while (reader.Read()) applied[reader.GetInt32(0)] = reader.GetInt64(1);
            }
            return (states, applied);
        }
    }

    /// <summary>Saves the changed entity states and the applied offsets atomically.</summary>
    public void Checkpoint(string view, IReadOnlyDictionary<string, EntityState> changed, IReadOnlyDictionary<int, long> applied)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using (var command = _connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT OR REPLACE INTO entity_states (view, entity, state) VALUES ($v, $e, $s)";
                command.Parameters.AddWithValue("$v", view);
                var entity = command.Parameters.Add("$e", SqliteType.Text);
                var state = command.Parameters.Add("$s", SqliteType.Text);
                foreach (var (id, value) in changed)
                {
                    entity.Value = id;
                    state.Value = JsonSerializer.Serialize(value, StateJson);
                    command.ExecuteNonQuery();
                }
            }
            using (var command = _connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT OR REPLACE INTO applied_offsets (view, partition, next_offset) VALUES ($v, $p, $o)";
                command.Parameters.AddWithValue("$v", view);
                var partition = command.Parameters.Add("$p", SqliteType.Integer);
                var offset = command.Parameters.Add("$o", SqliteType.Integer);
                foreach (var (p, o) in applied)
                {
                    partition.Value = p;
                    offset.Value = o;
                    command.ExecuteNonQuery();
                }
            }
            transaction.Commit();
        }
    }

    /// <summary>Every version of every view over <paramref name="dataset"/>, by name, oldest first.</summary>
    public IReadOnlyList<FeatureViewDefinition> VersionsOver(string dataset) => AllVersions().Where(v => v.Spec.Dataset == dataset).ToArray();

    /// <summary>Every version of every view, by name, oldest first.</summary>
    public IReadOnlyList<FeatureViewDefinition> AllVersions()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"{SelectViews} ORDER BY v.name, v.version";
            using var reader = command.ExecuteReader();
            var views = new List<FeatureViewDefinition>();
            while (reader.Read()) views.Add(Read(reader));
            return views;
        }
    }

    /// <summary>Records an erasure (a second one of the same entity replaces the first: its watermark is later).</summary>
    public void SaveErasure(EntityErasure erasure)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO erased_entities (dataset, entity, erased_at, through) VALUES ($d, $e, $t, $w)";
            command.Parameters.AddWithValue("$d", erasure.Dataset);
            command.Parameters.AddWithValue("$e", erasure.EntityId);
            command.Parameters.AddWithValue("$t", erasure.ErasedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$w", JsonSerializer.Serialize(erasure.Through));
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Every erasure recorded.</summary>
    public IReadOnlyList<EntityErasure> Erasures()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT dataset, entity, erased_at, through FROM erased_entities";
            using var reader = command.ExecuteReader();
            var erasures = new List<EntityErasure>();
            while (reader.Read())
            {
                erasures.Add(new EntityErasure(reader.GetString(0), reader.GetString(1),
                    JsonSerializer.Deserialize<Dictionary<int, long>>(reader.GetString(3))!, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
            }
            return erasures;
        }
    }

    /// <summary>Deletes an entity's window state from the given state keys (view versions); returns how many there were.</summary>
    public int DeleteEntityStates(IEnumerable<string> stateKeys, string entityId)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM entity_states WHERE view = $v AND entity = $e";
            var view = command.Parameters.Add("$v", SqliteType.Text);
            command.Parameters.AddWithValue("$e", entityId);
            var deleted = 0;
            foreach (var key in stateKeys)
            {
                view.Value = key;
                deleted += command.ExecuteNonQuery();
            }
            transaction.Commit();
            return deleted;
        }
    }

    public void Dispose() => _connection.Dispose();
}
