using System.ComponentModel.DataAnnotations;

namespace Cascade.Features.Options;

/// <summary>How often a view's materializer makes what it applied durable (offline rows, entity states, the consumer's commit).</summary>
public sealed class MaterializationOptions
{
    /// <summary>Configuration section name: <c>Cascade__Features__Materialization__CheckpointInterval</c> ….</summary>
    public const string SectionName = "Cascade:Features:Materialization";

    /// <summary>
    /// The online store is written with every consumed batch (what serving reads is never held back); the offline rows,
    /// the entity states and the commit of the records follow at most this often, all together, with one
    /// <c>FeaturesMaterialized</c>. Checkpointing every batch serialised every changed entity's window state each time:
    /// in the distributed demo (2,500 records/s over 500 entities, batches of ~500) that was 50–290 ms of every
    /// 200–560 ms batch and Features fell seconds behind. A crash loses nothing: the records since the last checkpoint
    /// are delivered again and applied to the checkpointed states, which gives the same vectors and rows (the offline
    /// store skips rows it has). <c>0</c> checkpoints every batch.
    /// </summary>
    /// <value>The default value is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Offline rows held for the next checkpoint after which it happens at once, however recent the last one: a view
    /// catching up on a backlog reads batches far faster than the interval and must not hold them all in memory.
    /// </summary>
    /// <value>The default value is 50,000.</value>
    [Range(1, 10_000_000)]
    public int MaxRowsPerCheckpoint { get; set; } = 50_000;
}
