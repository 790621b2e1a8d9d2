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

    /// <summary>Most records (or labels, in SubmitLabels) accepted in one request message; larger batches are refused whole (RESOURCE_EXHAUSTED) so the client splits them.</summary>
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

    /// <summary>
    /// How old the broker's end offsets may be before Ingestion asks again; in between, acknowledgements carry
    /// them raised past this process's own appends (see <see cref="Domain.WatermarkTracker"/>).
    /// </summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan WatermarkRefresh { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Batches of one <c>Ingest</c> stream that may wait for the broker at once while the next is read and queued;
    /// 0 waits for each batch before reading the next.
    /// </summary>
    /// <value>The default value is 4.</value>
    [Range(0, 64)]
    public int MaxBatchesInFlight { get; set; } = 4;
}
