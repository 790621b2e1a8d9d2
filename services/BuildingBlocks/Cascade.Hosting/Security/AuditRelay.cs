using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Hosting.Security;

/// <summary>
/// Publishes the audit log to <c>cascade.audit.v1</c>: the outbox half of the audit trail. It appends what is not
/// yet published, then records how far it got; after a crash between the two it publishes the last batch again,
/// with the same event ids (<c>&lt;process&gt;/&lt;sequence&gt;</c>), so consumers recognise the repeat. While the event log
/// is unreachable the entries wait on disk and the relay retries with backoff.
/// </summary>
public sealed partial class AuditRelay(SqliteAuditTrail trail, IEventLog log, string process, ILogger<AuditRelay> logger) : BackgroundService
{
    private const int BatchSize = 500;
    private readonly SemaphoreSlim wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        trail.Appended += Wake;
        try
        {
            var backoff = TimeSpan.FromMilliseconds(200);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    while (await PublishBatchAsync(stoppingToken) == BatchSize)
                    {
                    }
                    backoff = TimeSpan.FromMilliseconds(200);
                    await wake.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    LogRelayFailed(logger, ex.Message, backoff.TotalSeconds);
                    await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                }
            }
        }
        finally
        {
            trail.Appended -= Wake;
        }
    }

    /// <summary>Publishes the next unpublished entries; returns how many.</summary>
    public async Task<int> PublishBatchAsync(CancellationToken cancellationToken)
    {
        var entries = trail.Read(trail.Published, BatchSize);
        if (entries.Count == 0) return 0;
        var records = entries.Select(e =>
        {
            var payload = new AuditRecorded
            {
                Principal = e.Principal, Role = e.Role, Action = e.Action, Target = e.Target, Outcome = e.Outcome, Detail = e.Detail,
                At = Timestamp.FromDateTimeOffset(e.At), Process = process, Sequence = e.Sequence,
            };
            var envelope = EventEnvelopes.Wrap(payload, e.Principal, process, eventId: $"{process}/{e.Sequence}");
            return new OutgoingRecord(e.Principal, envelope.ToByteArray());
        }).ToList();
        await log.AppendAsync(Topics.Audit, records, cancellationToken);
        trail.MarkPublished(entries[^1].Sequence);
        return entries.Count;
    }

    private void Wake()
    {
        if (wake.CurrentCount == 0) wake.Release();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit relay: could not publish to the audit topic ({Reason}); entries wait in the audit log, retrying in {Seconds} s")]
    private static partial void LogRelayFailed(ILogger logger, string reason, double seconds);
}
