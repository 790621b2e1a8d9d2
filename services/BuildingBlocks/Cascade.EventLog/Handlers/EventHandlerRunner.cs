using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.EventLog.Handlers;

/// <summary>
/// The one consume loop of Cascade: runs an <see cref="IEventBatchHandler"/> until cancelled. A failing batch is
/// retried with exponential backoff (the handler restored to its checkpoint first); a batch that keeps failing is
/// handed one record at a time, and a record that keeps failing is written to <see cref="DeadLetterTopic"/> and
/// committed past, so the group moves on. A failing poll or commit re-subscribes from the last commit. Every
/// failure is logged and counted; while failures last the group reports itself stuck (<see cref="IConsumerHealth"/>).
/// </summary>
public sealed partial class EventHandlerRunner(IEventLog log, ConsumerHealth health, ILogger<EventHandlerRunner>? logger = null)
{
    /// <summary>Where records a handler gave up on go, keyed by consumer group (<c>DeadLettered</c> events).</summary>
    public const string DeadLetterTopic = Topics.DeadLettered;

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly IEventLog _log = log;
    private readonly ConsumerHealth _health = health;

    /// <summary>Runs <paramref name="handler"/> until <paramref name="cancellationToken"/> fires; never ends otherwise.</summary>
    public async Task RunAsync(IEventBatchHandler handler, CancellationToken cancellationToken)
    {
        var options = handler.Options;
        options.Validate();
        var loop = new Loop(this, handler, options);
        _health.Started(options.Subscription.GroupId);
        try
        {
            await loop.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _health.Stopped(options.Subscription.GroupId);
        }
    }

    /// <summary>The state of one handler's loop: its consumer, the records handled but not committed, the failure streak.</summary>
    private sealed class Loop(EventHandlerRunner runner, IEventBatchHandler handler, EventHandlerOptions options)
    {
        private readonly string _group = options.Subscription.GroupId;
        private readonly List<ConsumedRecord> _held = [];
        private int _failures;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    // Fresh subscription: the group reads again from its last commit, so the handler's state goes
                    // back to its checkpoint too.
                    _held.Clear();
                    await handler.RestoreAsync(cancellationToken);
                    await using var consumer = runner._log.Subscribe(options.Subscription);
                    while (true)
                    {
                        var batch = await consumer.ConsumeAsync(options.PollInterval, cancellationToken);
                        // A poll is a success only when the batch and the work after it both succeeded.
                        if (await HandleAsync(consumer, batch, cancellationToken) & await AfterPollAsync(cancellationToken))
                        {
                            Succeeded();
                        }
                    }
                }
                catch (Exception ex) when (!IsStop(ex, cancellationToken))
                {
                    // The log failed (poll, commit, dead-letter append) or the handler could not restore itself.
                    LogLoopFailed(runner._logger, _group, ex);
                    await FailedAsync(ex, _failures + 1, cancellationToken);
                }
            }
        }

        /// <summary>Hands a batch until it is committed (retried, then isolated); false when it failed with no record to blame.</summary>
        private async Task<bool> HandleAsync(IEventConsumer consumer, IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var (result, error) = await AttemptAsync(batch, restore: false, cancellationToken);
            if (error is null)
            {
                await SettleAsync(consumer, batch, result, cancellationToken);
                if (batch.Count > 0) EventHandlerMetrics.Handled(_group, batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                return true;
            }
            // Every retry hands all records since the last commit: the restored handler has lost the deferred ones too.
            IReadOnlyList<ConsumedRecord> pending = [.. _held, .. batch];
            for (var attempt = 1; ; attempt++)
            {
                LogBatchFailed(runner._logger, _group, pending.Count, attempt, options.MaxBatchAttempts, error);
                await FailedAsync(error, attempt < options.MaxBatchAttempts ? attempt : null, cancellationToken);
                if (attempt >= options.MaxBatchAttempts) break;
                (result, error) = await AttemptAsync(pending, restore: true, cancellationToken);
                if (error is null)
                {
                    await SettleAsync(consumer, pending, result, cancellationToken);
                    return true;
                }
            }
            if (IsLogFailure(error))
            {
                // The log is down (a broker restart), not the records at fault: dead-lettering them would lose healthy
                // data. Fail the loop instead: it backs off, reports stuck and reads again from the last commit.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error!);
            }
            if (pending.Count == 0)
            {
                // Nothing to blame: the next poll (an empty batch too) tries again, still reported stuck.
                await Task.Delay(options.Backoff(_failures), cancellationToken);
                return false;
            }
            await IsolateAsync(consumer, pending, cancellationToken);
            return true;
        }

        /// <summary>Hands the records one at a time, checkpointing and committing after each; poison goes to the dead-letter topic.</summary>
        private async Task IsolateAsync(IEventConsumer consumer, IReadOnlyList<ConsumedRecord> pending, CancellationToken cancellationToken)
        {
            await handler.RestoreAsync(cancellationToken);
            _held.Clear();
            foreach (var record in pending)
            {
                IReadOnlyList<ConsumedRecord> single = [record];
                Exception? error = null;
                for (var attempt = 1; attempt <= options.MaxRecordAttempts; attempt++)
                {
                    try
                    {
                        if (attempt > 1) await handler.RestoreAsync(cancellationToken);
                        await handler.HandleAsync(single, cancellationToken);
                        await handler.FlushAsync(cancellationToken);
                        error = null;
                        break;
                    }
                    catch (Exception ex) when (!IsStop(ex, cancellationToken))
                    {
                        error = ex;
                        LogRecordFailed(runner._logger, _group, record.Topic, record.Partition, record.Offset, attempt, options.MaxRecordAttempts, ex);
                        await FailedAsync(ex, attempt < options.MaxRecordAttempts ? attempt : null, cancellationToken);
                    }
                }
                if (IsLogFailure(error))
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error!); // not the record's fault: see above
                }
                if (error is not null)
                {
                    // Back to the state before this record, then past it for good.
                    await handler.RestoreAsync(cancellationToken);
                    await runner.DeadLetterAsync(_group, record, error, options.MaxRecordAttempts, cancellationToken);
                }
                if (options.Commits)
                {
                    await consumer.CommitAsync(single, cancellationToken);
                }
            }
        }

        /// <summary>One attempt at the handler (restored first on a retry); the error, not thrown, when it fails.</summary>
        private async Task<(BatchResult Result, Exception? Error)> AttemptAsync(IReadOnlyList<ConsumedRecord> records, bool restore, CancellationToken cancellationToken)
        {
            try
            {
                if (restore)
                {
                    await handler.RestoreAsync(cancellationToken);
                    _held.Clear();
                }
                return (await handler.HandleAsync(records, cancellationToken), null);
            }
            catch (Exception ex) when (!IsStop(ex, cancellationToken))
            {
                return (default, ex);
            }
        }

        /// <summary>Holds <paramref name="handled"/> and commits everything held when the handler says so; a commit failure is the log's (re-subscribe).</summary>
        private async Task SettleAsync(IEventConsumer consumer, IReadOnlyList<ConsumedRecord> handled, BatchResult result, CancellationToken cancellationToken)
        {
            if (!options.Commits) return;
            _held.AddRange(handled);
            if (result == BatchResult.Commit && _held.Count > 0)
            {
                await consumer.CommitAsync(_held.ToArray(), cancellationToken);
                _held.Clear();
            }
        }

        private async Task<bool> AfterPollAsync(CancellationToken cancellationToken)
        {
            try
            {
                await handler.AfterPollAsync(cancellationToken);
                return true;
            }
            catch (Exception ex) when (!IsStop(ex, cancellationToken))
            {
                LogAfterPollFailed(runner._logger, _group, ex);
                await FailedAsync(ex, _failures + 1, cancellationToken);
                return false;
            }
        }

        /// <summary>Counts and reports a failure, then waits the backoff of retry number <paramref name="retry"/> (none when null: no retry follows).</summary>
        private async Task FailedAsync(Exception error, int? retry, CancellationToken cancellationToken)
        {
            _failures++;
            EventHandlerMetrics.Failed(_group);
            runner._health.Failed(_group, _failures, _failures >= options.StuckAfterFailures, error);
            if (retry is { } n)
            {
                await Task.Delay(options.Backoff(n), cancellationToken);
            }
        }

        private void Succeeded()
        {
            if (_failures == 0) return;
            LogRecovered(runner._logger, _group, _failures);
            _failures = 0;
            runner._health.Succeeded(_group);
        }
    }

    /// <summary>Whether a failure came from the event log itself (an append or commit the broker refused), anywhere in its causes.</summary>
    private static bool IsLogFailure(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is EventLogException) return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsLogFailure)) return true;
        }
        return false;
    }

    private async Task DeadLetterAsync(string group, ConsumedRecord record, Exception error, int attempts, CancellationToken cancellationToken)
    {
        var letter = new DeadLettered
        {
            GroupId = group,
            Topic = record.Topic,
            Partition = record.Partition,
            Offset = record.Offset,
            Key = record.Key ?? string.Empty,
            Value = ByteString.CopyFrom(record.Value.Span),
            ErrorType = error.GetType().FullName ?? error.GetType().Name,
            Error = error.Message,
            Attempts = attempts,
            AppendedAt = Timestamp.FromDateTimeOffset(record.AppendedAt),
            DeadLetteredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        };
        // A deterministic id: dead-lettering the same record again (a crash before the commit) is recognisable.
        var envelope = EventEnvelopes.Wrap(letter, group, group, eventId: $"{group}/{record.Topic}/{record.Partition}/{record.Offset}");
        await _log.AppendAsync(DeadLetterTopic, [new OutgoingRecord(group, envelope.ToByteArray())], cancellationToken);
        EventHandlerMetrics.DeadLetter(group, record.Topic);
        LogDeadLettered(_logger, group, record.Topic, record.Partition, record.Offset, attempts, error);
    }

    private static bool IsStop(Exception ex, CancellationToken cancellationToken) => ex is OperationCanceledException && cancellationToken.IsCancellationRequested;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event handler {Group}: a batch of {Count} record(s) failed (attempt {Attempt} of {MaxAttempts})")]
    private static partial void LogBatchFailed(ILogger logger, string group, int count, int attempt, int maxAttempts, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event handler {Group}: record {Topic}/{Partition}@{Offset} failed (attempt {Attempt} of {MaxAttempts})")]
    private static partial void LogRecordFailed(ILogger logger, string group, string topic, int partition, long offset, int attempt, int maxAttempts, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event handler {Group}: dead-lettered {Topic}/{Partition}@{Offset} after {Attempts} attempt(s); moving on")]
    private static partial void LogDeadLettered(ILogger logger, string group, string topic, int partition, long offset, int attempts, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event handler {Group}: the log or the handler's restore failed; re-subscribing from the last commit")]
    private static partial void LogLoopFailed(ILogger logger, string group, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event handler {Group}: the work after a poll failed; retried on the next poll")]
    private static partial void LogAfterPollFailed(ILogger logger, string group, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event handler {Group} recovered after {Failures} failure(s)")]
    private static partial void LogRecovered(ILogger logger, string group, int failures);
}
