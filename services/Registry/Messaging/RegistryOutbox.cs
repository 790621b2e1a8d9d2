using Cascade.EventLog.Abstractions;
using Cascade.Registry.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Registry.Messaging;

/// <summary>
/// Relays the registry's events from the store's outbox to the event log. Every change the registry announces
/// (a registration, a promotion, a rollback, a new challenger) is written together with its audit entry and its
/// event in one transaction; this relay appends the events in commit order and deletes each only once the log has
/// it. So neither a log outage nor a crash between the two writes loses an event: it waits in the outbox and goes
/// out when the log is back, or when the registry starts again (the relay runs at start).
/// </summary>
/// <remarks>
/// A crash (or a lost acknowledgement) after the append and before the delete sends the event again with the same
/// event id (the id is in the stored envelope): consumers deduplicate by it, and the ones that apply registry
/// events (Serving, Monitoring) apply the same promotion twice to the same effect. Replicas sharing a PostgreSQL
/// store relay one at a time (<see cref="IRegistryStore.TryLeaseOutbox"/>), so their copies never interleave.
/// </remarks>
public sealed partial class RegistryOutbox(IRegistryStore store, IEventLog log, ILogger<RegistryOutbox> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private static readonly TimeSpan AppendTimeout = TimeSpan.FromSeconds(10);
    // A safety net only: commits in this process wake the relay at once (Notify).
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);
    // Another replica holds the lease: it may have read the outbox before our commit, so look again soon.
    private static readonly TimeSpan LeaseRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    /// <summary>An event was committed to the outbox: relay it now rather than at the next poll.</summary>
    public void Notify() => _wake.Release();

    /// <summary>
    /// One relay pass: appends every pending event to the log in commit order (consecutive events of one topic in
    /// one append) and deletes each run once the log has it. Returns how many events went out, or null when another
    /// relay holds the outbox lease. Throws what the log throws (refused, unreachable, timed out); what was not
    /// appended stays in the outbox.
    /// </summary>
    public async Task<int?> PublishPendingAsync(CancellationToken cancellationToken = default)
    {
        using var lease = store.TryLeaseOutbox();
        if (lease is null)
        {
            return null;
        }
        var published = 0;
        while (true)
        {
            var pending = store.PendingEvents(BatchSize);
            if (pending.Count == 0)
            {
                return published;
            }
            for (var start = 0; start < pending.Count;)
            {
                var end = start + 1;
                while (end < pending.Count && pending[end].Topic == pending[start].Topic) end++;
                var run = pending.Skip(start).Take(end - start).ToArray();
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(AppendTimeout);
                    await log.AppendAsync(run[0].Topic, run.Select(e => new OutgoingRecord(e.Key, e.Envelope)).ToArray(), timeout.Token);
                }
                store.EventsPublished(run.Select(e => e.Sequence).ToArray());
                published += run.Length;
                LogPublished(logger, run.Length, run[0].Topic, run[^1].EventId);
                start = end;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the first pass (events a crash left behind) must not hold up the host's start
        var backoff = FirstBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await PublishPendingAsync(stoppingToken) is null)
                {
                    await Task.Delay(LeaseRetry, stoppingToken);
                    continue;
                }
                backoff = FirstBackoff;
                await _wake.WaitAsync(PollInterval, stoppingToken);
                while (_wake.Wait(0))
                {
                    // One pass relays every commit signalled so far.
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPublishFailed(logger, ex, backoff.TotalSeconds);
                try { await Task.Delay(backoff, stoppingToken); } catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Count} registry event(s) to {Topic} (last {EventId})")]
    private static partial void LogPublished(ILogger logger, int count, string topic, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing registry events failed (event log unreachable?); the outbox keeps them, next try in {Seconds} s")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, double seconds);
}
