using System.Collections.Concurrent;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Cascade.Training.Messaging;
using Cascade.Training.Storage;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Triggers;

/// <summary>
/// Turns <c>FeaturesMaterialized</c> events into jobs: a policy trains when its view has gained at least
/// <c>every_new_labeled_rows</c> labeled rows since its last job and its cooldown has passed. Remembers the latest
/// materialization of every view, so an on-demand trigger knows the watermark to train up to. Runs in the
/// event-handler host (an unreadable event is dead-lettered, the triggers go on).
/// </summary>
public sealed partial class TrainingTriggers(TrainingStore store, JobDispatcher dispatcher, ILogger<TrainingTriggers> logger) : IEventBatchHandler
{
    // Stored as well: the consumer group does not read old events again after a restart.
    private readonly ConcurrentDictionary<string, FeaturesMaterialized> _latest = new(store.Materializations().Select(m => KeyValuePair.Create(m.FeatureView, m)), StringComparer.Ordinal);

    /// <summary>The latest materialization of a view, if any has been seen.</summary>
    public FeaturesMaterialized? Latest(string view) => _latest.TryGetValue(view, out var latest) ? latest : null;

    public EventHandlerOptions Options { get; } = new() { Subscription = new ConsumerOptions("cascade-training.triggers", [Topics.FeaturesMaterialized]) };

    public Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            var envelope = EventEnvelope.Parser.ParseFrom(record.Value.Span);
            using var activity = EventTracing.StartConsume("training.consider", envelope.Traceparent);
            var materialized = EventEnvelopes.Unwrap(envelope, FeaturesMaterialized.Parser);
            store.SaveMaterialization(materialized);
            _latest[materialized.FeatureView] = materialized;
            Consider(materialized);
        }
        return Task.FromResult(BatchResult.Commit);
    }

    private void Consider(FeaturesMaterialized materialized)
    {
        foreach (var model in store.Policies().Where(p => p.Spec.FeatureView == materialized.FeatureView).Select(p => p.Spec.Model))
        {
            dispatcher.Exclusively(() =>
            {
                if (store.Get(model) is not { } policy) return;
                var every = policy.Spec.Triggers?.EveryNewLabeledRows ?? 0;
                if (every <= 0 || materialized.LabeledRowsTotal - store.LabeledAtLastJob(model) < every) return;
                var cooldown = policy.Spec.Triggers?.Cooldown?.ToTimeSpan() ?? TimeSpan.Zero;
                if (policy.Meta.LastJobAt is { } last && DateTimeOffset.UtcNow - last.ToDateTimeOffset() < cooldown) return;
                var job = dispatcher.Dispatch(policy, materialized, TriggerKind.LabeledRows, $"{materialized.LabeledRowsTotal} labeled rows (every {every})");
                LogQueued(logger, job.Id, model, job.Spec.TriggerReason);
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued training job {JobId} for {Model}: {Reason}")]
    private static partial void LogQueued(ILogger logger, string jobId, string model, string reason);
}
