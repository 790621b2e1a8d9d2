using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Cascade.Training.Messaging;
using Cascade.Training.Options;
using Cascade.Training.Storage;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Triggers;

/// <summary>
/// Retrains models whose policy says <c>on_drift</c> when Monitoring raises <c>DriftDetected</c>. The first alert of an
/// ongoing drift (its dedup key) schedules a retrain after the policy's debounce, so the alerts that follow — other
/// features, prediction drift, a raised severity — join the same job instead of starting their own, and the new
/// data has a moment to arrive; the policy's cooldown since the previous job of any kind delays it further. The
/// waiting retrain is stored, so a restart neither loses nor repeats it. Runs in the event-handler host (an
/// unreadable alert is dead-lettered, the triggers go on).
/// </summary>
public sealed partial class DriftTriggers(
    TrainingStore store, JobDispatcher dispatcher, TrainingTriggers materializations,
    TrainingServiceOptions options, TimeProvider time, ILogger<DriftTriggers> logger) : IEventBatchHandler
{
    private static readonly TimeSpan DuePoll = TimeSpan.FromMilliseconds(250);

    public EventHandlerOptions Options { get; } = new() { Subscription = new ConsumerOptions("cascade-training.drift", [Topics.DriftDetected]), PollInterval = DuePoll };

    public Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            Consider(EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), DriftDetected.Parser));
        }
        return Task.FromResult(BatchResult.Commit);
    }

    /// <summary>Due retrains go out after every poll, whether or not alerts arrived; a failure here blames no alert.</summary>
    public ValueTask AfterPollAsync(CancellationToken cancellationToken)
    {
        DispatchDue();
        return ValueTask.CompletedTask;
    }

    private void Consider(DriftDetected alert)
    {
        var policy = store.Get(alert.Model);
        // A failed model load is an operational alert on the same stream, not evidence that the data changed.
        if (alert.Kind == DriftKind.ModelLoadFailed || policy?.Spec.Triggers is not { OnDrift: true } triggers || alert.Severity < options.MinDriftSeverity)
        {
            return;
        }
        var debounce = triggers.Debounce?.ToTimeSpan() ?? TimeSpan.Zero;
        var reason = $"drift: {alert.Summary}";
        if (store.AddDriftAlert(alert.Model, alert.DedupKey, alert.AlertId, reason, time.GetUtcNow() + debounce))
        {
            LogScheduled(logger, alert.Model, alert.AlertId, debounce.TotalSeconds);
        }
    }

    private void DispatchDue()
    {
        var now = time.GetUtcNow();
        foreach (var pending in store.PendingDriftRetrains())
        {
            if (pending.DueAt > now) break;
            var policy = store.Get(pending.Model);
            if (policy?.Spec.Triggers is not { OnDrift: true } triggers)
            {
                store.DropDriftRetrain(pending.Model);
                continue;
            }
            var cooldown = triggers.Cooldown?.ToTimeSpan() ?? TimeSpan.Zero;
            if (policy.Meta.LastJobAt is { } last && now - last.ToDateTimeOffset() < cooldown)
            {
                continue; // waits for the cooldown; checked again on the next poll
            }
            if (materializations.Latest(policy.Spec.FeatureView) is not { } materialized)
            {
                continue; // nothing materialized yet to train on
            }
            var job = dispatcher.Dispatch(policy, materialized, TriggerKind.Drift, pending.Reason, pending.AlertIds);
            LogQueued(logger, job.Id, pending.Model, pending.AlertIds.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Drift alert {AlertId} schedules a retrain of {Model} in {DebounceSeconds} s")]
    private static partial void LogScheduled(ILogger logger, string model, string alertId, double debounceSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued drift retrain {JobId} of {Model} answering {Alerts} alert(s)")]
    private static partial void LogQueued(ILogger logger, string jobId, string model, int alerts);
}
