namespace Cascade.Storage.OfflineStore;

/// <summary>Retention of the PostgreSQL store (<see cref="IOfflineRetentionStore"/>).</summary>
public sealed partial class PostgresOfflineStore
{
    /// <summary>A top-N sort on the server over event times and keys only; one query for every partition.</summary>
    public async Task<DateTimeOffset?> WindowStartAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long>? watermark, bool labeledOnly, int size, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (watermark is { Count: 0 }) return null;
        var rows = watermark is null
            ? "offline_rows r WHERE r.view = @view AND r.version = @version"
            : """
              unnest(@partitions, @ends) AS w (source_partition, end_offset)
              JOIN offline_rows r ON r.view = @view AND r.version = @version AND r.source_partition = w.source_partition AND r.source_offset < w.end_offset
              WHERE true
              """;
        await using var command = _source.CreateCommand($"SELECT r.event_ticks FROM {rows}"
            + (labeledOnly ? " AND r.label IS NOT NULL" : string.Empty)
            + " ORDER BY r.event_ticks DESC, r.source_partition DESC, r.source_offset DESC OFFSET @skip LIMIT 1");
        command.Parameters.AddWithValue("view", featureView);
        command.Parameters.AddWithValue("version", viewVersion);
        command.Parameters.AddWithValue("skip", size - 1);
        if (watermark is not null)
        {
            command.Parameters.AddWithValue("partitions", watermark.Keys.ToArray());
            command.Parameters.AddWithValue("ends", watermark.Keys.Select(p => watermark[p]).ToArray());
        }
        return await command.ExecuteScalarAsync(cancellationToken) is long ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
    }

    /// <summary>
    /// One statement, so one transaction: the batch's keys in primary-key order, the DELETE of those the rule lets go
    /// (row locks on them only: appends of other keys go on), and the count of the labeled ones it removed. Holds
    /// travel as arrays, one element per (hold, partition).
    /// </summary>
    public async Task<OfflineRetentionBatch> DeleteExpiredAsync(string featureView, int viewVersion, OfflineRetentionRule rule, OfflineRowKey? after, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var from = after ?? new OfflineRowKey(int.MinValue, long.MinValue);
        var held = rule.Holds.SelectMany(h => h.Watermark.Select(w => (Partition: w.Key, End: w.Value, Since: h.Since?.UtcTicks ?? long.MinValue))).Distinct().ToArray();
        await using var command = _source.CreateCommand("""
            WITH batch AS (
              SELECT source_partition, source_offset FROM offline_rows
              WHERE view = @view AND version = @version AND (source_partition, source_offset) > (@after_partition, @after_offset)
              ORDER BY source_partition, source_offset LIMIT @batch_size),
            gone AS (
              DELETE FROM offline_rows r USING batch b
              WHERE r.view = @view AND r.version = @version AND r.source_partition = b.source_partition AND r.source_offset = b.source_offset
                AND r.event_ticks < @before
                AND NOT (r.label IS NOT NULL AND EXISTS (
                  SELECT 1 FROM unnest(@held_partitions, @held_ends, @held_since) AS h (source_partition, end_offset, since_ticks)
                  WHERE h.source_partition = r.source_partition AND r.source_offset < h.end_offset AND r.event_ticks >= h.since_ticks))
              RETURNING r.label IS NOT NULL AS labeled),
            counted AS (
              INSERT INTO offline_retention_counts AS c (view, version, labeled_deleted)
              SELECT @view, @version, COUNT(*) FILTER (WHERE labeled) FROM gone HAVING COUNT(*) FILTER (WHERE labeled) > 0
              ON CONFLICT (view, version) DO UPDATE SET labeled_deleted = c.labeled_deleted + EXCLUDED.labeled_deleted),
            last AS (
              SELECT source_partition, source_offset FROM batch ORDER BY source_partition DESC, source_offset DESC LIMIT 1)
            SELECT (SELECT COUNT(*) FROM batch), (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FILTER (WHERE labeled) FROM gone),
                   (SELECT source_partition FROM last), (SELECT source_offset FROM last)
            """);
        command.Parameters.AddWithValue("view", featureView);
        command.Parameters.AddWithValue("version", viewVersion);
        command.Parameters.AddWithValue("after_partition", from.Partition);
        command.Parameters.AddWithValue("after_offset", from.Offset);
        command.Parameters.AddWithValue("batch_size", batchSize);
        command.Parameters.AddWithValue("before", rule.Before.UtcTicks);
        command.Parameters.AddWithValue("held_partitions", held.Select(h => h.Partition).ToArray());
        command.Parameters.AddWithValue("held_ends", held.Select(h => h.End).ToArray());
        command.Parameters.AddWithValue("held_since", held.Select(h => h.Since).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var examined = reader.GetInt64(0);
        var (deleted, labeled) = ((int)reader.GetInt64(1), (int)reader.GetInt64(2));
        // A full batch may have rows after it; a short one examined the last row.
        OfflineRowKey? next = examined == batchSize ? new OfflineRowKey(reader.GetInt32(3), reader.GetInt64(4)) : null;
        return new OfflineRetentionBatch(deleted, labeled, next);
    }
}
