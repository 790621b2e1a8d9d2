using System.Text.Json;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.History;
using Cascade.Monitoring.Options;
using Microsoft.Data.Sqlite;

namespace Cascade.Monitoring.Storage;

/// <summary>
/// Drift history in <see cref="MonitoringStore"/>'s SQLite file: the series of each model version with the thresholds
/// in force (<c>drift_series</c>), every evaluated window (<c>drift_windows</c>) and each series' statistics in it
/// (<c>drift_points</c>). Writes are idempotent (keyed by the window's end offset), so a window evaluated again after a
/// restart replaces itself; retention keeps the latest windows of each version and the latest versions of each model.
/// SQLite stores NaN as NULL: read back, NULL is NaN again.
/// </summary>
internal static class DriftHistoryTables
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS drift_series (model TEXT NOT NULL, version INTEGER NOT NULL, is_prediction INTEGER NOT NULL, feature TEXT NOT NULL,
                                                 categorical INTEGER NOT NULL, thresholds TEXT NOT NULL, PRIMARY KEY (model, version, is_prediction, feature));
        CREATE TABLE IF NOT EXISTS drift_windows (model TEXT NOT NULL, version INTEGER NOT NULL, end_offset INTEGER NOT NULL, window_end INTEGER NOT NULL,
                                                  size INTEGER NOT NULL, PRIMARY KEY (model, version, end_offset));
        CREATE TABLE IF NOT EXISTS drift_points (model TEXT NOT NULL, version INTEGER NOT NULL, end_offset INTEGER NOT NULL, is_prediction INTEGER NOT NULL,
                                                 feature TEXT NOT NULL, psi REAL, ks_statistic REAL, ks_p_value REAL, jensen_shannon REAL, wasserstein REAL,
                                                 chi_squared_p_value REAL, severity INTEGER NOT NULL,
                                                 PRIMARY KEY (model, version, end_offset, is_prediction, feature)) WITHOUT ROWID;
        """;

    /// <summary>Stores a monitor's evaluated windows (inside the caller's transaction), then applies retention to the versions touched.</summary>
    public static void Write(SqliteConnection connection, SqliteTransaction transaction, DriftHistoryBatch batch, DriftHistoryOptions retention, JsonSerializerOptions json)
    {
        if (batch.IsEmpty) return;
        using (var series = connection.CreateCommand())
        {
            series.Transaction = transaction;
            series.CommandText = """
                INSERT INTO drift_series (model, version, is_prediction, feature, categorical, thresholds) VALUES ($m, $v, $p, $f, $c, $t)
                ON CONFLICT (model, version, is_prediction, feature) DO UPDATE SET categorical = $c, thresholds = $t
                """;
            var (m, v, p, f, c, t) = (series.Parameters.Add("$m", SqliteType.Text), series.Parameters.Add("$v", SqliteType.Integer), series.Parameters.Add("$p", SqliteType.Integer),
                series.Parameters.Add("$f", SqliteType.Text), series.Parameters.Add("$c", SqliteType.Integer), series.Parameters.Add("$t", SqliteType.Text));
            m.Value = batch.Model;
            foreach (var (version, definitions) in batch.Series)
            {
                v.Value = version;
                foreach (var definition in definitions)
                {
                    (p.Value, f.Value, c.Value, t.Value) = (definition.IsPrediction, definition.Feature, definition.Categorical, JsonSerializer.Serialize(definition.Thresholds, json));
                    series.ExecuteNonQuery();
                }
            }
        }
        using (var window = connection.CreateCommand())
        using (var point = connection.CreateCommand())
        {
            window.Transaction = transaction;
            window.CommandText = "INSERT OR REPLACE INTO drift_windows (model, version, end_offset, window_end, size) VALUES ($m, $v, $o, $e, $n)";
            var (wm, wv, wo, we, wn) = (window.Parameters.Add("$m", SqliteType.Text), window.Parameters.Add("$v", SqliteType.Integer), window.Parameters.Add("$o", SqliteType.Integer),
                window.Parameters.Add("$e", SqliteType.Integer), window.Parameters.Add("$n", SqliteType.Integer));
            point.Transaction = transaction;
            point.CommandText = """
                INSERT OR REPLACE INTO drift_points (model, version, end_offset, is_prediction, feature, psi, ks_statistic, ks_p_value, jensen_shannon, wasserstein, chi_squared_p_value, severity)
                VALUES ($m, $v, $o, $p, $f, $psi, $ks, $ksp, $js, $w, $chi, $s)
                """;
            var pm = point.Parameters.Add("$m", SqliteType.Text);
            var pv = point.Parameters.Add("$v", SqliteType.Integer);
            var po = point.Parameters.Add("$o", SqliteType.Integer);
            var pp = point.Parameters.Add("$p", SqliteType.Integer);
            var pf = point.Parameters.Add("$f", SqliteType.Text);
            var stats = new[] { "$psi", "$ks", "$ksp", "$js", "$w", "$chi" }.Select(name => point.Parameters.Add(name, SqliteType.Real)).ToArray();
            var ps = point.Parameters.Add("$s", SqliteType.Integer);
            wm.Value = pm.Value = batch.Model;
            foreach (var evaluation in batch.Windows)
            {
                (wv.Value, wo.Value, we.Value, wn.Value) = (evaluation.Version, evaluation.Window.EndOffset, evaluation.Window.EndTime.ToUnixTimeMilliseconds(), evaluation.Window.Size);
                window.ExecuteNonQuery();
                (pv.Value, po.Value) = (evaluation.Version, evaluation.Window.EndOffset);
                foreach (var (drift, isPrediction) in evaluation.Features.Select(d => (d, false)).Append((evaluation.Prediction, true)))
                {
                    pp.Value = isPrediction;
                    pf.Value = isPrediction ? "" : drift.Feature;
                    double[] values = [drift.Psi, drift.KsStatistic, drift.KsPValue, drift.JensenShannon, drift.NormalizedWasserstein, drift.ChiSquaredPValue];
                    for (var i = 0; i < values.Length; i++) stats[i].Value = double.IsNaN(values[i]) ? DBNull.Value : values[i];
                    ps.Value = (int)drift.Severity;
                    point.ExecuteNonQuery();
                }
            }
        }
        foreach (var version in batch.Windows.Select(w => w.Version).Distinct()) KeepLatestWindows(connection, transaction, batch.Model, version, retention.WindowsPerVersion);
        KeepLatestVersions(connection, transaction, batch.Model, retention.VersionsPerModel);
    }

    private static void KeepLatestWindows(SqliteConnection connection, SqliteTransaction transaction, string model, int version, int keep)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT end_offset FROM drift_windows WHERE model = $m AND version = $v ORDER BY end_offset DESC LIMIT 1 OFFSET $k";
        command.Parameters.AddWithValue("$m", model);
        command.Parameters.AddWithValue("$v", version);
        command.Parameters.AddWithValue("$k", keep - 1);
        if (command.ExecuteScalar() is not long oldestKept) return;
        command.CommandText = """
            DELETE FROM drift_windows WHERE model = $m AND version = $v AND end_offset < $o;
            DELETE FROM drift_points WHERE model = $m AND version = $v AND end_offset < $o;
            """;
        command.Parameters.AddWithValue("$o", oldestKept);
        command.ExecuteNonQuery();
    }

    private static void KeepLatestVersions(SqliteConnection connection, SqliteTransaction transaction, string model, int keep)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM drift_series WHERE model = $m GROUP BY version ORDER BY version DESC LIMIT 1 OFFSET $k";
        command.Parameters.AddWithValue("$m", model);
        command.Parameters.AddWithValue("$k", keep - 1);
        if (command.ExecuteScalar() is not long oldestKept) return;
        command.CommandText = """
            DELETE FROM drift_series WHERE model = $m AND version < $v;
            DELETE FROM drift_windows WHERE model = $m AND version < $v;
            DELETE FROM drift_points WHERE model = $m AND version < $v;
            """;
        command.Parameters.AddWithValue("$v", oldestKept);
        command.ExecuteNonQuery();
    }

    /// <summary>The names of every feature and categorical column with history for <paramref name="model"/> (any version), and its versions.</summary>
    public static (IReadOnlySet<string> Features, IReadOnlyList<int> Versions) Known(SqliteConnection connection, string model)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT version, is_prediction, feature FROM drift_series WHERE model = $m ORDER BY version";
        command.Parameters.AddWithValue("$m", model);
        using var reader = command.ExecuteReader();
        var features = new HashSet<string>(StringComparer.Ordinal);
        var versions = new SortedSet<int>();
        while (reader.Read())
        {
            versions.Add(reader.GetInt32(0));
            if (reader.GetInt64(1) == 0) features.Add(reader.GetString(2));
        }
        return (features, versions.ToArray());
    }

    /// <summary>The series <paramref name="query"/> asks for, by version, then the prediction, then features by name.</summary>
    public static IReadOnlyList<StoredDriftSeries> Read(SqliteConnection connection, DriftHistoryQuery query, JsonSerializerOptions json)
    {
        var windows = LatestWindows(connection, query);
        var versions = query.Version != 0 ? [query.Version] : windows.Keys.Order().ToArray();
        var wanted = query.Features.ToHashSet(StringComparer.Ordinal);
        var result = new List<StoredDriftSeries>();
        foreach (var version in versions)
        {
            var kept = windows.GetValueOrDefault(version) ?? [];
            var definitions = Definitions(connection, query.Model, version, json)
                .Where(d => d.IsPrediction || wanted.Count == 0 || wanted.Contains(d.Feature))
                .OrderByDescending(d => d.IsPrediction).ThenBy(d => d.Feature, StringComparer.Ordinal)
                .ToArray();
            var points = kept.Count == 0 ? [] : Points(connection, query.Model, version, kept);
            foreach (var definition in definitions)
            {
                var series = kept
                    .Select(w => points.TryGetValue((w.EndOffset, definition.IsPrediction, definition.Feature), out var stats) ? Point(w, stats) : null)
                    .OfType<StoredDriftPoint>()
                    .ToArray();
                result.Add(new StoredDriftSeries(version, definition, series));
            }
        }
        return result;
    }

    /// <summary>Each version's latest windows in the query's time range (at most its limit), oldest first.</summary>
    private static Dictionary<int, List<(long EndOffset, DateTimeOffset End, int Size)>> LatestWindows(SqliteConnection connection, DriftHistoryQuery query)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT version, end_offset, window_end, size FROM drift_windows
            WHERE model = $m AND ($v = 0 OR version = $v) AND window_end >= $from AND window_end <= $to
            ORDER BY version, end_offset DESC
            """;
        command.Parameters.AddWithValue("$m", query.Model);
        command.Parameters.AddWithValue("$v", query.Version);
        command.Parameters.AddWithValue("$from", query.From?.ToUnixTimeMilliseconds() ?? long.MinValue);
        command.Parameters.AddWithValue("$to", query.To?.ToUnixTimeMilliseconds() ?? long.MaxValue);
        using var reader = command.ExecuteReader();
        var windows = new Dictionary<int, List<(long, DateTimeOffset, int)>>();
        while (reader.Read())
        {
            var version = reader.GetInt32(0);
            if (!windows.TryGetValue(version, out var list)) windows[version] = list = [];
            if (list.Count < query.Limit) list.Add((reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetInt32(3)));
        }
        foreach (var list in windows.Values) list.Reverse();
        return windows;
    }

    private static DriftSeriesDefinition[] Definitions(SqliteConnection connection, string model, int version, JsonSerializerOptions json)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT feature, is_prediction, categorical, thresholds FROM drift_series WHERE model = $m AND version = $v";
        command.Parameters.AddWithValue("$m", model);
        command.Parameters.AddWithValue("$v", version);
        using var reader = command.ExecuteReader();
        var definitions = new List<DriftSeriesDefinition>();
        while (reader.Read())
        {
            var thresholds = JsonSerializer.Deserialize<DriftSeriesThresholds>(reader.GetString(3), json)!;
            definitions.Add(new DriftSeriesDefinition(reader.GetString(0), reader.GetInt64(1) != 0, reader.GetInt64(2) != 0, thresholds));
        }
        return definitions.ToArray();
    }

    private static Dictionary<(long, bool, string), (double[] Stats, AlertSeverity Severity)> Points(
        SqliteConnection connection, string model, int version, List<(long EndOffset, DateTimeOffset End, int Size)> windows)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT end_offset, is_prediction, feature, psi, ks_statistic, ks_p_value, jensen_shannon, wasserstein, chi_squared_p_value, severity
            FROM drift_points WHERE model = $m AND version = $v AND end_offset >= $lo AND end_offset <= $hi
            """;
        command.Parameters.AddWithValue("$m", model);
        command.Parameters.AddWithValue("$v", version);
        command.Parameters.AddWithValue("$lo", windows[0].EndOffset);
        command.Parameters.AddWithValue("$hi", windows[^1].EndOffset);
        using var reader = command.ExecuteReader();
        var points = new Dictionary<(long, bool, string), (double[], AlertSeverity)>();
        while (reader.Read())
        {
            var stats = new double[6];
            for (var i = 0; i < stats.Length; i++) stats[i] = reader.IsDBNull(3 + i) ? double.NaN : reader.GetDouble(3 + i);
            points[(reader.GetInt64(0), reader.GetInt64(1) != 0, reader.GetString(2))] = (stats, (AlertSeverity)reader.GetInt32(9));
        }
        return points;
    }

    private static StoredDriftPoint Point((long EndOffset, DateTimeOffset End, int Size) window, (double[] Stats, AlertSeverity Severity) point) =>
        new(window.End, window.EndOffset, window.Size, point.Stats[0], point.Stats[1], point.Stats[2], point.Stats[3], point.Stats[4], point.Stats[5], point.Severity);
}
