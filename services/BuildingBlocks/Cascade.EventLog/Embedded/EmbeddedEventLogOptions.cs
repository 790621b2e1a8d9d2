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
}
