using System.Text.Json;
using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Options;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Registry.Retention;

/// <summary>What a collection pass did (or, dry, would do).</summary>
/// <param name="Collected">Versions marked collected in this pass (on a dry run: those that would be).</param>
/// <param name="DeletedArtifacts">Blobs deleted from the artifact store (this pass's and any a crash left behind).</param>
/// <param name="DryRun">Whether nothing was written.</param>
public sealed record RetentionReport(IReadOnlyList<RetentionDecision> Collected, IReadOnlyList<string> DeletedArtifacts, bool DryRun);

/// <summary>
/// Garbage-collects the artifacts of model versions outside the retention policy (<see cref="RetentionPolicy"/>),
/// every <see cref="RetentionOptions.Interval"/> and on demand (<see cref="CollectAsync"/>).
/// </summary>
/// <remarks>
/// Crash safety comes from the order: first the decision is recorded (the version's <c>artifact_collected_at</c> and
/// its <c>ArtifactCollected</c> audit entry, by actor <c>retention</c>, in one transaction, which also refuses a
/// version that became champion or challenger meanwhile), then the blob is deleted. A crash in between leaves a
/// marked version whose blob is still stored; every pass deletes the blobs that only marked versions refer to, so the
/// next one finishes the job. A marked version can no longer be promoted or rolled back to. The blob set is re-read
/// just before deleting, so a version registered meanwhile with the same artifact keeps it.
/// </remarks>
public sealed partial class ArtifactCollector(IRegistryStore store, IArtifactStore artifacts, RetentionOptions options, TimeProvider time, ILogger<ArtifactCollector> logger)
    : BackgroundService
{
    /// <summary>The audit actor of every collection.</summary>
    public const string Actor = "retention";

    /// <summary>The audit action of every collection.</summary>
    public const string Action = "ArtifactCollected";

    private readonly RetentionPolicy _policy = new(options);
    private readonly SemaphoreSlim _pass = new(1, 1);

    /// <summary>
    /// One collection pass now (one at a time in this process; replicas sharing a store are safe too: marking is
    /// conditional and deleting is idempotent). With <paramref name="dryRun"/> it only reports what it would collect.
    /// </summary>
    public async Task<RetentionReport> CollectAsync(bool dryRun = false, CancellationToken cancellationToken = default)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            var decisions = _policy.Decide(Snapshot(), time.GetUtcNow());
            if (dryRun)
            {
                return new RetentionReport(decisions, [], DryRun: true);
            }
            var collected = new List<RetentionDecision>();
            foreach (var decision in decisions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var evidence = JsonSerializer.Serialize(new
                {
                    sha256 = decision.Sha256,
                    keepNewest = options.KeepNewest,
                    keepYoungerThan = options.KeepYoungerThan.ToString(),
                });
                var audit = new AuditEntry { Actor = Actor, Action = Action, Model = decision.Model, ToVersion = decision.Version, Reason = decision.Reason, EvidenceJson = evidence };
                if (store.MarkArtifactCollected(decision.Model, decision.Version, audit))
                {
                    collected.Add(decision);
                    LogMarked(logger, decision.Model, decision.Version, decision.Sha256);
                }
            }

            var deleted = new List<string>();
            foreach (var sha256 in RetentionPolicy.Orphaned(Snapshot().SelectMany(m => m.Versions)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!await artifacts.ExistsAsync(sha256, cancellationToken)) continue; // deleted by an earlier pass
                await artifacts.DeleteAsync(sha256, cancellationToken);
                deleted.Add(sha256);
                LogDeleted(logger, sha256);
            }
            return new RetentionReport(collected, deleted, DryRun: false);
        }
        finally
        {
            _pass.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Interval <= TimeSpan.Zero)
        {
            return; // turned off; CollectAsync still works
        }
        using var timer = new PeriodicTimer(options.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await CollectAsync(dryRun: false, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The next pass retries: marked versions whose blobs were not deleted are picked up again.
                    LogPassFailed(logger, ex, options.Interval.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private List<(Model Model, IReadOnlyList<ModelVersion> Versions)> Snapshot() =>
        store.ListModels().Select(m => (m, store.ListVersions(m.Name))).ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention collects the artifact of v{Version} of '{Model}' ({Sha256})")]
    private static partial void LogMarked(ILogger logger, string model, int version, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted artifact {Sha256}: only collected versions referred to it")]
    private static partial void LogDeleted(ILogger logger, string sha256);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Artifact collection failed; the next pass in {Seconds} s retries")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, double seconds);
}
