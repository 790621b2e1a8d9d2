using System.ComponentModel.DataAnnotations;

namespace Cascade.EventLog.Embedded;

/// <summary>Options of the embedded (SQLite) event log.</summary>
public sealed class EmbeddedEventLogOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Cascade:EventLog:Embedded";

    /// <summary>Path of the SQLite file.</summary>
    /// <value>The default value is <c>.cascade/events.db</c>.</value>
    [Required]
    public string Path { get; set; } = System.IO.Path.Combine(".cascade", "events.db");

    /// <summary>Partitions of a topic created implicitly by an append or a subscription.</summary>
    /// <value>The default value is 4.</value>
    [Range(1, 1024)]
    public int DefaultPartitions { get; set; } = 4;

    /// <summary>Records older than this are deleted by retention; null keeps them forever.</summary>
    /// <value>The default value is 7 days, Kafka's default.</value>
    public TimeSpan? RetentionAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>At most this many records are kept per partition (the oldest go first); null for no limit.</summary>
    /// <value>The default value is null.</value>
    public long? RetentionRecordsPerPartition { get; set; }

    /// <summary>How often retention runs.</summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Most records one transaction appends. A larger append is committed in transactions of at most this many
    /// records, and the writer is free between them, so one caller's huge batch delays another's append by one
    /// transaction, not by the whole batch. Every batch Cascade's own producers send (predictions, relays) fits in one.
    /// </summary>
    /// <value>The default value is 1,000.</value>
    [Range(1, 1_000_000)]
    public int MaxRecordsPerTransaction { get; set; } = 1_000;

    /// <summary>
    /// Most bytes of record values one transaction appends, for the same reason; a single larger record still goes
    /// in a transaction of its own.
    /// </summary>
    /// <value>The default value is 1 MiB.</value>
    [Range(1_024, 1_024 * 1_024 * 1_024)]
    public int MaxBytesPerTransaction { get; set; } = 1_024 * 1_024;

    /// <summary>
    /// Records per partition this log keeps in memory after committing them, so consumers reading at the tail do not
    /// read back from the file what was just written (<see cref="TailCache"/>); 0 turns the cache off.
    /// </summary>
    /// <value>The default value is 2,048.</value>
    [Range(0, 1_000_000)]
    public int TailRecordsPerPartition { get; set; } = 2_048;

    /// <summary>Most bytes of record values kept in memory per partition for the same purpose.</summary>
    /// <value>The default value is 1 MiB.</value>
    [Range(0, 1_024 * 1_024 * 1_024)]
    public int TailBytesPerPartition { get; set; } = 1_024 * 1_024;

    /// <exception cref="ValidationException">A setting is out of range.</exception>
    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (RetentionInterval <= TimeSpan.Zero || RetentionAge <= TimeSpan.Zero || RetentionRecordsPerPartition < 0)
        {
            throw new ValidationException("Embedded event log: RetentionInterval and RetentionAge must be positive, RetentionRecordsPerPartition at least 0.");
        }
    }
}
