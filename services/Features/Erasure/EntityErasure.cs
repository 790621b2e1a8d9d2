namespace Cascade.Features.Erasure;

/// <summary>
/// An entity erased from a dataset's features. Its records below <see cref="Through"/> (the data topic's end offsets
/// when it was erased) are never materialized again; its records appended later are new data.
/// </summary>
/// <remarks>
/// Why a watermark rather than a time: the log's offsets say exactly which records existed at the erasure, whatever
/// the clocks of producers and brokers say (Kafka 0.9 stores no append time at all).
/// </remarks>
/// <param name="Dataset">The dataset whose entity it is.</param>
/// <param name="EntityId">The entity key.</param>
/// <param name="Through">Partition → first offset not erased.</param>
/// <param name="ErasedAt">When it was (last) erased.</param>
public sealed record EntityErasure(string Dataset, string EntityId, IReadOnlyDictionary<int, long> Through, DateTimeOffset ErasedAt)
{
    /// <summary>Whether the record at <paramref name="partition"/>/<paramref name="offset"/> existed when the entity was erased.</summary>
    public bool Covers(int partition, long offset) => Through.TryGetValue(partition, out var end) && offset < end;

    /// <summary>This erasure extended by a later one of the same entity: per partition, the later end.</summary>
    public EntityErasure Then(IReadOnlyDictionary<int, long> through, DateTimeOffset erasedAt)
    {
        var merged = new Dictionary<int, long>(Through);
        foreach (var (partition, end) in through) merged[partition] = Math.Max(end, merged.GetValueOrDefault(partition));
        return this with { Through = merged, ErasedAt = erasedAt };
    }
}
