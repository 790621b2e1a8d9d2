using System.Collections.Concurrent;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Google.Protobuf;
using Cascade.Features.Domain;
using Cascade.Features.Erasure;
using Cascade.Features.Options;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Microsoft.Extensions.Hosting;

namespace Cascade.Features.Materialization;

/// <summary>
/// Runs one consume → materialize → commit loop per feature view (each in the event-handler host, as its own consumer
/// group); views applied later start their own loop.
/// </summary>
public sealed class MaterializationService(
    FeatureStateStore stateStore, IOnlineStore online, IOfflineStore offline, IEventLog log, EventHandlerRunner runner, EntityErasures erasures, MaterializationOptions checkpoints) : BackgroundService
{
    private const string Producer = "cascade-features";
    private readonly ConcurrentDictionary<string, FeatureMaterializer> _materializers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Version, CancellationTokenSource Stop, Task Loop)> _loops = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private CancellationToken _stopping;

    /// <summary>The running materializer of a view, if any.</summary>
    public FeatureMaterializer? Find(string view) => _materializers.TryGetValue(view, out var materializer) ? materializer : null;

    /// <summary>
    /// Checkpoints now what the running views over <paramref name="dataset"/> have applied (each publishes its
    /// <c>FeaturesMaterialized</c>): an erasure then deletes, and reports, every row and state applied so far, not
    /// only what the last timed checkpoint had saved.
    /// </summary>
    public async Task CheckpointAsync(string dataset, CancellationToken cancellationToken)
    {
        foreach (var materializer in _materializers.Values.Where(m => m.View.Spec.Dataset == dataset).ToArray())
        {
            if (await materializer.CheckpointAsync(cancellationToken) is { } materialized)
            {
                await PublishAsync(log, materialized, cancellationToken);
            }
        }
    }

    /// <summary>Writes a checkpoint's <c>FeaturesMaterialized</c>, keyed by its view (the one place both the loop and an erasure publish).</summary>
    private static Task PublishAsync(IEventLog log, FeaturesMaterialized materialized, CancellationToken cancellationToken) =>
        log.AppendAsync(Topics.FeaturesMaterialized, [new OutgoingRecord(materialized.FeatureView, EventEnvelopes.Wrap(materialized, materialized.FeatureView, Producer).ToByteArray())], cancellationToken);

    /// <summary>Starts the loop of a view; a newer version replaces the loop of the older one.</summary>
    public void Start(FeatureViewDefinition view)
    {
        lock (_gate)
        {
            if (_loops.TryGetValue(view.Name, out var running))
            {
                if (running.Version >= view.Version) return;
                running.Stop.Cancel();
            }
            var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            _loops[view.Name] = (view.Version, stop, Task.Run(() => RunAsync(view, stop.Token)));
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        foreach (var view in stateStore.Views())
        {
            Start(view);
        }
        return Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => Task.WhenAll(_loops.Values.Select(l => l.Loop)), TaskScheduler.Default).Unwrap();
    }

    /// <summary>One view's loop, in the event-handler host: retried, a poison record dead-lettered, only a stop ends it.</summary>
    private Task RunAsync(FeatureViewDefinition view, CancellationToken stoppingToken) => runner.RunAsync(new ViewMaterialization(view, stateStore, online, offline, log, erasures, _materializers, checkpoints), stoppingToken);

    /// <summary>
    /// Consume → materialize (online at once) → checkpoint when due → publish → commit for one view version. Records
    /// stay uncommitted until the materializer has checkpointed their effects: a crash before that redelivers them,
    /// and the materializer skips what its checkpoint holds.
    /// </summary>
    private sealed class ViewMaterialization(
        FeatureViewDefinition view, FeatureStateStore stateStore, IOnlineStore online, IOfflineStore offline, IEventLog log,
        EntityErasures erasures, ConcurrentDictionary<string, FeatureMaterializer> running, MaterializationOptions checkpoints) : IEventBatchHandler
    {
        /// <summary>How often the loop asks the online store whether it still holds the view (one EXISTS on Redis).</summary>
        private static readonly TimeSpan IntactCheckInterval = TimeSpan.FromSeconds(2);

        /// <summary>Most record traces one materialization span links (each record of a batch carries its producer's).</summary>
        private const int MaxLinkedTraces = 1_000;

        private FeatureMaterializer? _materializer;
        private long _nextIntactCheck;

        // The traces of the records applied since the last checkpoint, and when the first of them was handed: the span
        // under which the checkpoint's FeaturesMaterialized is written links them, so the trace goes on to Training.
        private readonly List<string> _traceparents = [];
        private DateTimeOffset? _unsavedSince;

        public EventHandlerOptions Options { get; } = new() { Subscription = new ConsumerOptions($"cascade-features.{view.Name}.v{view.Version}", [Topics.Data(view.Spec.Dataset)]) };

        /// <summary>
        /// A failed batch may have changed entity states in memory without checkpointing them, so every attempt
        /// starts from the checkpoint; the runner re-hands what was not committed and the materializer skips what
        /// the checkpoint already holds.
        /// </summary>
        public async ValueTask RestoreAsync(CancellationToken cancellationToken)
        {
            // Known gap: until a new version has caught up, the online store still holds the previous version's
            // vectors for entities it has not reached yet, and vectors carry no version to tell them apart.
            _materializer = await FeatureMaterializer.StartAsync(view, stateStore, online, offline, erasures, cancellationToken, checkpoints);
            running[view.Name] = _materializer;
            _traceparents.Clear(); // the records since the last commit are handed again
            _unsavedSince = null;
        }

        public async Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
        {
            // An empty batch (a poll that found nothing) still checkpoints what waits once that is due, so a quiet
            // stream commits. The materializer collects each record's traceparent as it parses it.
            if (batch.Count > 0) _unsavedSince ??= DateTimeOffset.UtcNow;
            var traceparents = EventTracing.Source.HasListeners() && _traceparents.Count < MaxLinkedTraces ? _traceparents : null;
            await PublishAsync(await _materializer!.ProcessAsync(batch, cancellationToken, traceparents), cancellationToken);
            return Settled();
        }

        /// <summary>Checkpoints what is waiting now (the runner commits right after).</summary>
        public async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            await PublishAsync(await _materializer!.CheckpointAsync(cancellationToken), cancellationToken);
            Settled();
        }

        // Committed only once the materializer has checkpointed every effect of the records handed so far.
        private BatchResult Settled()
        {
            if (_materializer!.HasUnsaved) return BatchResult.Defer;
            _traceparents.Clear();
            _unsavedSince = null;
            return BatchResult.Commit;
        }

        /// <summary>
        /// Writes a checkpoint's event under a span that links the traces of the records it covers (at most
        /// <see cref="MaxLinkedTraces"/>), dated back to when the first of them was handed (links are fixed at a span's
        /// start); FeaturesMaterialized, written under it, carries the trace on to Training.
        /// </summary>
        private async Task PublishAsync(FeaturesMaterialized? materialized, CancellationToken cancellationToken)
        {
            if (materialized is null) return;
            using var activity = EventTracing.StartBatch("features.materialize", _traceparents, _unsavedSince ?? DateTimeOffset.UtcNow);
            activity?.SetTag("cascade.feature_view", view.Name);
            activity?.SetTag("messaging.batch.message_count", materialized.RowsWritten);
            await MaterializationService.PublishAsync(log, materialized, cancellationToken);
        }

        /// <summary>
        /// A restarted online store (Redis without persistence) comes back empty: serving would answer NOT_FOUND for
        /// every entity not written since. Rebuild it from the entity states, without anyone's help.
        /// </summary>
        public async ValueTask AfterPollAsync(CancellationToken cancellationToken)
        {
            if (_materializer is null || Environment.TickCount64 < _nextIntactCheck) return;
            _nextIntactCheck = Environment.TickCount64 + (long)IntactCheckInterval.TotalMilliseconds;
            if (await _materializer.EnsureOnlineIntactAsync(cancellationToken))
            {
                FeaturesMetrics.OnlineRebuilt(view.Name);
            }
        }
    }
}
