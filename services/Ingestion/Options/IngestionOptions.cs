using System.ComponentModel.DataAnnotations;

namespace Cascade.Ingestion.Options;

/// <summary>Options of the ingestion service.</summary>
public sealed class IngestionOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Cascade:Ingestion";

    /// <summary>Path of the SQLite file holding dataset schemas and the ids of ingested records.</summary>
    /// <value>The default value is <c>.cascade/ingestion.db</c>.</value>
    [Required]
    public string DatabasePath { get; set; } = Path.Combine(".cascade", "ingestion.db");

    /// <summary>Most records accepted in one request message; larger batches are refused whole (RESOURCE_EXHAUSTED) so the client splits them.</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 1_000_000)]
    public int MaxRecordsPerBatch { get; set; } = 10_000;

    /// <summary>Largest serialized record when a dataset sets none.</summary>
    /// <value>The default value is 64 KiB.</value>
    [Range(64, 4 * 1024 * 1024)]
    public int DefaultMaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>Partitions of a new dataset's topic when its spec sets none.</summary>
    /// <value>The default value is 4.</value>
    [Range(1, 1024)]
    public int DefaultPartitions { get; set; } = 4;
}
