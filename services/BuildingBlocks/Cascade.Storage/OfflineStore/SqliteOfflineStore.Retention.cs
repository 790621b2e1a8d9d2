using System.Globalization;

namespace Cascade.Storage.OfflineStore;

/// <summary>Retention of the embedded store (<see cref="IOfflineRetentionStore"/>).</summary>
public sealed partial class SqliteOfflineStore
{
    /// <summary>One query over every partition whose top-N sorter keeps event times and keys only, never feature values.</summary>
    public async Task<DateTimeOffset?> WindowStartAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long>? watermark, bool labeledOnly, int size, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (watermark is { Count: 0 }) return null;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT event_time FROM feature_rows WHERE view = $v AND version = $n"
                + (labeledOnly ? " AND label IS NOT NULL" : string.Empty)
                + (watermark is null ? string.Empty : $" AND offset < {EndOffset(watermark)}")
                + " ORDER BY event_time DESC, partition DESC, offset DESC LIMIT 1 OFFSET $skip";
            command.Parameters.AddWithValue("$v", featureView);
            command.Parameters.AddWithValue("$n", viewVersion);
            command.Parameters.AddWithValue("$skip", size - 1);
            return command.ExecuteScalar() is long ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The batch's range is found first (the key <paramref name="batchSize"/> rows on, by the primary key), so a batch
    /// whose rows are all held still examines no more than that; then one DELETE over the range, under the store's gate
    /// and in one transaction with the count of labeled rows it removed.
    /// </summary>
    public async Task<OfflineRetentionBatch> DeleteExpiredAsync(string featureView, int viewVersion, OfflineRetentionRule rule, OfflineRowKey? after, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var from = after ?? new OfflineRowKey(int.MinValue, long.MinValue);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var transaction = _connection.BeginTransaction();
            OfflineRowKey? last = null;
            using (var bound = _connection.CreateCommand())
            {
                bound.Transaction = transaction;
                bound.CommandText = "SELECT partition, offset FROM feature_rows WHERE view = $v AND version = $n AND (partition, offset) > ($p, $o) ORDER BY partition, offset LIMIT 1 OFFSET $skip";
                bound.Parameters.AddWithValue("$v", featureView);
                bound.Parameters.AddWithValue("$n", viewVersion);
                bound.Parameters.AddWithValue("$p", from.Partition);
                bound.Parameters.AddWithValue("$o", from.Offset);
                bound.Parameters.AddWithValue("$skip", batchSize - 1);
                using var reader = bound.ExecuteReader();
                if (reader.Read()) last = new OfflineRowKey(reader.GetInt32(0), reader.GetInt64(1));
            }

            var (deleted, labeled) = (0, 0);
            using (var delete = _connection.CreateCommand())
            {
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM feature_rows WHERE view = $v AND version = $n AND (partition, offset) > ($p, $o)"
                    + (last is null ? string.Empty : " AND (partition, offset) <= ($lp, $lo)")
                    + $" AND event_time < $before AND NOT {Held(rule.Holds)} RETURNING label IS NOT NULL";
                delete.Parameters.AddWithValue("$v", featureView);
                delete.Parameters.AddWithValue("$n", viewVersion);
                delete.Parameters.AddWithValue("$p", from.Partition);
                delete.Parameters.AddWithValue("$o", from.Offset);
                if (last is { } l)
                {
                    delete.Parameters.AddWithValue("$lp", l.Partition);
                    delete.Parameters.AddWithValue("$lo", l.Offset);
                }
                delete.Parameters.AddWithValue("$before", rule.Before.UtcTicks);
                using var reader = delete.ExecuteReader();
                while (reader.Read())
                {
                    deleted++;
                    if (reader.GetInt64(0) != 0) labeled++;
                }
            }

            if (labeled > 0)
            {
                using var count = _connection.CreateCommand();
                count.Transaction = transaction;
                count.CommandText = """
                    INSERT INTO retention_counts (view, version, labeled_deleted) VALUES ($v, $n, $d)
                    ON CONFLICT (view, version) DO UPDATE SET labeled_deleted = labeled_deleted + excluded.labeled_deleted
                    """;
                count.Parameters.AddWithValue("$v", featureView);
                count.Parameters.AddWithValue("$n", viewVersion);
                count.Parameters.AddWithValue("$d", labeled);
                count.ExecuteNonQuery();
            }
            transaction.Commit();
            return new OfflineRetentionBatch(deleted, labeled, last);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// <see cref="OfflineHold.Keeps"/> as SQL. The numbers are written into the text (they are integers, never text
    /// from a caller), which keeps a pass with many holds far below SQLite's limit on parameters.
    /// </summary>
    private static string Held(IReadOnlyList<OfflineHold> holds)
    {
        var terms = holds.Where(h => h.Watermark.Count > 0)
            .Select(h => $"(offset < {EndOffset(h.Watermark)}" + (h.Since is { } since ? $" AND event_time >= {since.UtcTicks.ToString(CultureInfo.InvariantCulture)}" : string.Empty) + ")")
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return terms.Length == 0 ? "0" : $"(label IS NOT NULL AND ({string.Join(" OR ", terms)}))";
    }

    /// <summary>A row's partition's end offset in <paramref name="watermark"/>; -1 (nothing below it) for a partition it does not name.</summary>
    private static string EndOffset(IReadOnlyDictionary<int, long> watermark) =>
        "CASE partition " + string.Concat(watermark.OrderBy(w => w.Key).Select(w => string.Create(CultureInfo.InvariantCulture, $"WHEN {w.Key} THEN {w.Value} "))) + "ELSE -1 END";
}
