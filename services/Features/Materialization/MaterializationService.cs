using System.Collections.Concurrent;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Google.Protobuf;
using Cascade.Features.Domain;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Features.Materialization;

/// <summary>Runs one consume → materialize → commit loop per feature view; views applied later start their own loop.</summary>
public sealed partial class MaterializationService(
    FeatureStateStore stateStore, IOnlineStore online, IOfflineStore offline, IEventLog log, ILogger<MaterializationService> logger) : BackgroundService
{
    private const string Producer = "cascade-features";
    private readonly ConcurrentDictionary<string, FeatureMaterializer> _materializers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Version, CancellationTokenSource Stop, Task Loop)> _loops = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private CancellationToken _stopping;

    /// <summary>The running materializer of a view, if any.</summary>
    public FeatureMaterializer? Find(string view) => _materializers.TryGetValue(view, out var materializer) ? materializer : null;

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

    private async Task RunAsync(FeatureViewDefinition view, CancellationToken stoppingToken)
    {
        try
        {
            // Known gap: until a new version has caught up, the online store still holds the previous version's
            // vectors for entities it has not reached yet, and vectors carry no version to tell them apart.
            while (!stoppingToken.IsCancellationRequested)
            {
                // A failed batch may have changed entity states in memory without checkpointing them, so every
                // attempt starts from the checkpoint; re-subscribing re-reads from the group's last commit and the
                // materializer skips what the checkpoint already holds.
                var materializer = await FeatureMaterializer.StartAsync(view, stateStore, online, offline, stoppingToken);
                _materializers[view.Name] = materializer;
                try
                {
                    await ConsumeAsync(view, materializer, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogBatchFailed(logger, view.Name, ex);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ConsumeAsync(FeatureViewDefinition view, FeatureMaterializer materializer, CancellationToken stoppingToken)
    {
        await using var consumer = log.Subscribe(new ConsumerOptions($"cascade-features.{view.Name}.v{view.Version}", [Topics.Data(view.Spec.Dataset)]));
        while (!stoppingToken.IsCancellationRequested)
        {
            var batch = await consumer.ConsumeAsync(TimeSpan.FromSeconds(1), stoppingToken);
            if (batch.Count == 0) continue;
            // The batch's span links every record's trace (set by Ingestion); FeaturesMaterialized, written under it,
            // carries the trace on to Training.
            using var activity = EventTracing.StartBatch("features.materialize", TraceparentsOf(batch));
            activity?.SetTag("cascade.feature_view", view.Name);
            activity?.SetTag("messaging.batch.message_count", batch.Count);
            var materialized = await materializer.ProcessAsync(batch, stoppingToken);
            if (materialized is not null)
            {
                await log.AppendAsync(Topics.FeaturesMaterialized, [new OutgoingRecord(view.Name, EventEnvelopes.Wrap(materialized, view.Name, Producer).ToByteArray())], stoppingToken);
            }
            // Commit only after the effects are checkpointed: a crash before this redelivers, and the materializer skips.
            await consumer.CommitAsync(batch, stoppingToken);
        }
    }

    /// <summary>The records' traceparents, read only while something listens for spans (parsing costs).</summary>
    private static IEnumerable<string> TraceparentsOf(IReadOnlyList<ConsumedRecord> batch) =>
        EventTracing.Source.HasListeners() ? batch.Select(record => EventEnvelope.Parser.ParseFrom(record.Value.Span).Traceparent) : [];

    [LoggerMessage(Level = LogLevel.Error, Message = "Materializing feature view {View} failed")]
    private static partial void LogBatchFailed(ILogger logger, string view, Exception exception);
}
