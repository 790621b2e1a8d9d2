namespace Cascade.Storage.OfflineStore;

/// <summary>
/// What a retention pass may delete from one feature view version: rows whose event time is before
/// <see cref="Before"/>, except the labeled rows that any of <see cref="Holds"/> keeps.
/// </summary>
/// <param name="Before">Only rows whose event time is earlier are deleted (<see cref="DateTimeOffset.MaxValue"/>: any age).</param>
/// <param name="Holds">Labeled rows kept whatever their age: each the training window a kept model version read.</param>
public sealed record OfflineRetentionRule(DateTimeOffset Before, IReadOnlyList<OfflineHold> Holds)
{
    /// <summary>Whether the rule lets <paramref name="row"/> go: the predicate every store's delete implements.</summary>
    public bool Deletes(OfflineFeatureRow row) => row.EventTime < Before && !Holds.Any(h => h.Keeps(row));
}

/// <summary>
/// The labeled rows below <see cref="Watermark"/> whose event time is at or after <see cref="Since"/>: a superset of
/// the newest-N window a training job read there (ties at the window's oldest event time are kept too).
/// </summary>
/// <param name="Watermark">Partition → first offset not held; partitions it does not name hold nothing.</param>
/// <param name="Since">The window's oldest event time; null holds every labeled row below the watermark (an uncapped job).</param>
public sealed record OfflineHold(IReadOnlyDictionary<int, long> Watermark, DateTimeOffset? Since)
{
    /// <summary>Whether this hold keeps <paramref name="row"/>.</summary>
    public bool Keeps(OfflineFeatureRow row) =>
        row.Label is not null
        && Watermark.TryGetValue(row.Partition, out var end) && row.Offset < end
        && (Since is not { } since || row.EventTime >= since);
}
