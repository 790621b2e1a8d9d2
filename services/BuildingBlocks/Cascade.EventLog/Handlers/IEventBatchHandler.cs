using Cascade.EventLog.Abstractions;

namespace Cascade.EventLog.Handlers;

/// <summary>
/// A service's event consumer: what it reads (<see cref="Options"/>) and what it does with a batch. The
/// <see cref="EventHandlerRunner"/> owns the loop around it: polling, commits, retries with backoff, dead-lettering
/// a record that keeps failing, and health. Only cancellation ends that loop; a handler exception never does.
/// </summary>
/// <remarks>
/// Delivery is at least once: a batch may be handed again after a failure or a restart, so effects must be
/// idempotent (skip what the checkpoint holds, deduplicate by event id). After a failure the runner calls
/// <see cref="RestoreAsync"/> and then hands every record since the last commit again, in the same order; when the
/// whole batch keeps failing it hands the records one at a time (<see cref="FlushAsync"/> and a commit after each)
/// to find the poison record, which goes to <c>cascade.deadletter.v1</c> and is committed past.
/// </remarks>
public interface IEventBatchHandler
{
    /// <summary>The subscription, poll interval, commit mode and retry policy.</summary>
    EventHandlerOptions Options { get; }

    /// <summary>
    /// Processes a batch (called after every poll, with an empty batch when nothing arrived, so timed checkpoints
    /// can happen). <see cref="BatchResult.Commit"/>: effects are durable, commit everything handed so far;
    /// <see cref="BatchResult.Defer"/>: keep the records uncommitted until a later call says commit.
    /// </summary>
    Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken);

    /// <summary>
    /// Makes every deferred effect durable now (a checkpoint): the runner commits right after. Used while it hands
    /// records one at a time, so committing past a dead-lettered record never commits unsaved work.
    /// </summary>
    ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Brings in-memory state back to the last checkpoint: called before the first subscription and after every
    /// failure, before the records since the last commit are handed again.
    /// </summary>
    ValueTask RestoreAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Timed work after every poll, once the batch is handled (and committed): a failure here is counted, reported
    /// and retried on the next poll, but never blamed on (dead-letters) a record.
    /// </summary>
    ValueTask AfterPollAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>What the runner does with a batch a handler processed.</summary>
public enum BatchResult
{
    /// <summary>Commit every record handed so far.</summary>
    Commit,

    /// <summary>Hold the records uncommitted (their effects are not checkpointed yet).</summary>
    Defer,
}
