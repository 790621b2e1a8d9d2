using Cascade.Features.Erasure;
using Cascade.Features.Options;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Features.Retention;

/// <summary>What a retention pass did.</summary>
/// <param name="KeptVersions">Versions whose artifacts the registry keeps and whose lineage names training rows.</param>
/// <param name="Windows">Distinct training windows those versions read (held).</param>
/// <param name="ViewVersions">Feature view versions swept.</param>
/// <param name="RowsDeleted">Rows deleted.</param>
/// <param name="LabeledRowsDeleted">Of those, labeled rows.</param>
public sealed record RetentionPassReport(int KeptVersions, int Windows, int ViewVersions, long RowsDeleted, long LabeledRowsDeleted);

/// <summary>
/// Offline-store retention (<see cref="OfflineRetentionOptions"/>): every <see cref="OfflineRetentionOptions.Interval"/>
/// and on demand (<see cref="RunPassAsync"/>), deletes the rows of every feature view version that its rules let go,
/// in batches of <see cref="OfflineRetentionOptions.BatchSize"/>, except the training windows of the model versions
/// whose artifacts the registry keeps.
/// </summary>
/// <remarks>
/// Order is what keeps lineage true: the kept versions are listed first (a failure there ends the pass before any
/// delete), then every window's start is known, and only then are rows deleted, each batch checking every hold. A
/// version collected during a pass is still held by it (more is kept, never less). What a pass cannot see is a job
/// still in flight: its rows are held from the first pass after its version is registered (docs/operations.md,
/// "Offline-store retention").
/// </remarks>
public sealed partial class OfflineRetention(
    IOfflineStore offline, FeatureStateStore views, IKeptVersions kept, EntityErasures erasures, OfflineRetentionOptions options, TimeProvider time, ILogger<OfflineRetention> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _pass = new(1, 1);
    private HoldResolver? _resolver;

    /// <summary>One pass now (one at a time in this process; replicas sharing a store are safe too: each delete re-checks the rule).</summary>
    /// <exception cref="HoldsUnavailableException">The kept versions could not be listed: nothing was deleted.</exception>
    /// <exception cref="NotSupportedException">The configured offline store has no retention.</exception>
    public async Task<RetentionPassReport> RunPassAsync(CancellationToken cancellationToken = default)
    {
        if (!options.Enabled) return new RetentionPassReport(0, 0, 0, 0, 0);
        var store = offline as IOfflineRetentionStore
            ?? throw new NotSupportedException($"The offline store ({offline.GetType().Name}) has no retention; unset Cascade:Features:Retention.");
        await _pass.WaitAsync(cancellationToken);
        try
        {
            var report = await PassAsync(store, cancellationToken);
            RetentionMetrics.Pass("completed");
            return report;
        }
        catch (HoldsUnavailableException)
        {
            RetentionMetrics.Pass("holds_unavailable");
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RetentionMetrics.Pass("failed");
            throw;
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task<RetentionPassReport> PassAsync(IOfflineRetentionStore store, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        IReadOnlyList<KeptVersion> versions;
        try
        {
            versions = await kept.ListAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new HoldsUnavailableException($"Offline retention deleted nothing: the kept model versions could not be listed ({ex.Message}).", ex);
        }
        var windows = TrainingWindow.Of(versions);
        _resolver ??= new HoldResolver(store, erasures);
        var holds = await _resolver.ResolveAsync(windows, cancellationToken);

        var (swept, deleted, labeled) = (0, 0L, 0L);
        foreach (var view in views.AllVersions())
        {
            if (await CutoffAsync(store, view.Name, view.Version, now, cancellationToken) is not { } before) continue;
            swept++;
            var rule = new OfflineRetentionRule(before, holds.GetValueOrDefault((view.Name, view.Version)) ?? []);
            OfflineRowKey? after = null;
            do
            {
                var batch = await store.DeleteExpiredAsync(view.Name, view.Version, rule, after, options.BatchSize, cancellationToken);
                RetentionMetrics.RowsDeleted(view.Name, view.Version, batch.Deleted);
                deleted += batch.Deleted;
                labeled += batch.DeletedLabeled;
                after = batch.Next;
            }
            while (after is not null);
        }
        LogPass(logger, deleted, labeled, swept, options.Describe(), versions.Count, windows.Count);
        return new RetentionPassReport(versions.Count, windows.Count, swept, deleted, labeled);
    }

    /// <summary>
    /// Rows of the view version with an event time before this may go: the age rule's cutoff, moved back to the start
    /// of the newest <see cref="OfflineRetentionOptions.KeepNewestRows"/>; null when the count rule keeps every row.
    /// </summary>
    private async Task<DateTimeOffset?> CutoffAsync(IOfflineRetentionStore store, string view, int version, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var before = options.MaxAge > TimeSpan.Zero ? now - options.MaxAge : DateTimeOffset.MaxValue;
        if (options.KeepNewestRows == 0) return before;
        var newest = await store.WindowStartAsync(view, version, watermark: null, labeledOnly: false, options.KeepNewestRows, cancellationToken);
        return newest is { } start ? (start < before ? start : before) : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled || options.Interval <= TimeSpan.Zero)
        {
            return; // off; RunPassAsync still works while a rule is set
        }
        using var timer = new PeriodicTimer(options.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunPassAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Nothing is lost by waiting: the next pass deletes what this one did not.
                    LogPassFailed(logger, ex, options.Interval.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Offline retention deleted {Rows} rows ({Labeled} labeled) from {ViewVersions} feature view versions ({Rules}), keeping the training windows of {Kept} kept model versions ({Windows} distinct)")]
    private static partial void LogPass(ILogger logger, long rows, long labeled, int viewVersions, string rules, int kept, int windows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offline retention pass failed; the next pass in {Seconds} s tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, double seconds);
}
