namespace Cascade.EventLog.Embedded;

/// <summary>
/// What the embedded log keeps in memory about a topic: its partition count and the order of its appends, fixed when
/// the topic is first named; and, read and written only under the log's write lock, whether its row is stored yet and
/// the next offset of each partition.
/// </summary>
internal sealed class TopicState(string name, int partitions, bool stored)
{
    public string Name { get; } = name;

    public int Partitions { get; } = partitions;

    public AppendOrder Order { get; } = new(partitions);

    /// <summary>Whether the topic's row is in the file (a topic named by a first append is stored by that append's first transaction).</summary>
    public bool Stored { get; set; } = stored;

    /// <summary>
    /// The next offset of each partition as the writer committed them, so an append needs no query to number its
    /// records; null until first needed, and after a failed transaction (read again from <c>partition_ends</c>).
    /// </summary>
    public long[]? Ends { get; set; }

    /// <summary>The log's <c>data_version</c> generation <see cref="Ends"/> was read in: another connection's write makes it stale.</summary>
    public long EndsGeneration { get; set; }
}
