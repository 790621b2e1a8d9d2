using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Profiles;
using Cascade.Monitoring.Storage;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Cascade.Monitoring.Streaming;

/// <summary>
/// The Monitoring service's consumer: follows promotions and rollbacks (switching each model's monitor to the served
/// version and its reference profile), feeds logged predictions and observed labels to the monitors, publishes their
/// alerts (<c>DriftDetected</c> on the drift topic, to the alert store and to <c>WatchAlerts</c> streams), and
/// checkpoints the monitors before committing what it consumed. Runs in the event-handler host: a failure resumes
/// from the last checkpoint, and an unreadable event is dead-lettered instead of stopping monitoring.
/// </summary>
/// <remarks>
/// Restart: monitors resume from their checkpoint and the consumer from the matching commit; a prediction at or below
/// a monitor's last offset is skipped, a promotion of the watched version changes nothing, and an alert raised again
/// from redelivered records has the same id and is published once.
/// </remarks>
public sealed partial class MonitoringProcessor(
    ModelMonitors monitors, ArtifactProfileLoader profiles, MonitoringStore store, AlertFeed feed, IEventLog log,
    MonitoringServiceOptions options, TimeProvider time, ILogger<MonitoringProcessor> logger) : IEventBatchHandler
{
    private const string Group = "cascade-monitoring";
    private const string Producer = "cascade-monitoring";
    private static readonly string[] Subscribed = [Topics.ModelsPromoted, Topics.ModelsRolledBack, Topics.PredictionsLogged, Topics.LabelsObserved, Topics.ModelLoadFailed];

    private readonly Dictionary<string, (int Version, string Sha)> _watched = new(StringComparer.Ordinal);
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PredictionLogReader _predictions = new();
    private readonly PredictionRun _run = new();
    private long _lastCheckpoint;
    private bool _dirty; // records handled since the last checkpoint (the runner holds them uncommitted)

    /// <summary>Completes once the checkpointed monitors are restored (health queries before it see no model).</summary>
    public Task Restored => _restored.Task;

    /// <summary>The version each model is watched at.</summary>
    public IReadOnlyDictionary<string, int> WatchedVersions
    {
        get
        {
            lock (_watched)
            {
                return _watched.ToDictionary(w => w.Key, w => w.Value.Version);
            }
        }
    }

    /// <summary>
    /// Records are committed only after the monitors are checkpointed: at once when a model switched versions, else
    /// once <see cref="MonitoringServiceOptions.CheckpointInterval"/> has passed (checked after every poll).
    /// </summary>
    public EventHandlerOptions Options { get; } = new()
    {
        Subscription = new ConsumerOptions(Group, Subscribed, MaxBatchSize: 2_000),
        PollInterval = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>
    /// Monitors back to their checkpoint (before the first subscription and after a failure): the runner then hands
    /// every record since the matching commit again, and monitors skip what they have already seen.
    /// </summary>
    public async ValueTask RestoreAsync(CancellationToken cancellationToken)
    {
        _touched.Clear();
        _run.Clear(); // predictions gathered when the failure struck are handed again
        _dirty = false;
        await RestoreCheckpointAsync(cancellationToken);
        _lastCheckpoint = time.GetTimestamp();
        _restored.TrySetResult();
    }

    public async Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        // Promotions first: a prediction of a new version is logged only after its promotion, but may be read first.
        var switched = false;
        foreach (var record in ConsumeOrder.Of(batch))
        {
            if (TryReadPrediction(record, out var prediction, out var shadow))
            {
                // The common case, read without parsing messages; a model's consecutive predictions are observed together.
                _dirty = true;
                if (shadow) continue; // a shadow's answers were never served
                if (!_run.Continues(prediction)) await ObserveRunAsync(cancellationToken);
                _run.Add(prediction);
                continue;
            }
            await ObserveRunAsync(cancellationToken);
            var envelope = EventEnvelope.Parser.ParseFrom(record.Value.Span);
            switched |= await ApplyAsync(record, envelope, cancellationToken);
            _dirty = true;
        }
        await ObserveRunAsync(cancellationToken);
        if (_dirty && (switched || time.GetElapsedTime(_lastCheckpoint) >= options.CheckpointInterval))
        {
            Checkpoint();
            return BatchResult.Commit;
        }
        return BatchResult.Defer;
    }

    /// <summary>The prediction <paramref name="record"/> carries (its vectors borrowed from the reader); false for any other event.</summary>
    private bool TryReadPrediction(ConsumedRecord record, out PredictionRecord prediction, out bool shadow)
    {
        if (!PredictionLogReader.TryGetPayload(record.Value.Span, out var payload))
        {
            (prediction, shadow) = (default, false);
            return false;
        }
        prediction = _predictions.Read(payload, record.Offset, record.AppendedAt, out shadow);
        return true;
    }

    /// <summary>Observes the gathered run of predictions under one lock of their monitor and publishes what it raised.</summary>
    private async Task ObserveRunAsync(CancellationToken cancellationToken)
    {
        if (_run.Model is not { } model) return;
        IReadOnlyList<DriftAlert> alerts;
        try
        {
            alerts = monitors.For(model).Observe(_run.Records);
        }
        finally
        {
            _run.Clear();
        }
        _touched.Add(model);
        foreach (var alert in alerts)
        {
            await PublishAsync(AlertMapping.ToEvent(alert), cancellationToken);
        }
    }

    /// <summary>Checkpoints now: the runner commits right after (it hands records one at a time while isolating a failure).</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Checkpoint();
        return ValueTask.CompletedTask;
    }

    private async Task RestoreCheckpointAsync(CancellationToken cancellationToken)
    {
        foreach (var watched in store.Watched())
        {
            var version = await profiles.LoadAsync(watched.Model, watched.Version, watched.ArtifactSha256, cancellationToken);
            var monitor = monitors.For(watched.Model);
            if (version.Profile is null)
            {
                monitor.ActivateWithoutReference(version.Version, version.Task);
            }
            else if (watched.State is { } state && state.Version == watched.Version)
            {
                monitor.Import(state, version.Profile, version.Segment);
            }
            else
            {
                monitor.Activate(version.Version, version.Profile, version.Task, version.Segment);
            }
            lock (_watched)
            {
                _watched[watched.Model] = (watched.Version, watched.ArtifactSha256);
            }
        }
    }

    /// <summary>Applies one event; true when a model switched versions (checkpointed at once).</summary>
    private async Task<bool> ApplyAsync(ConsumedRecord record, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (envelope.Type == ModelPromoted.Descriptor.FullName)
        {
            var promoted = ModelPromoted.Parser.ParseFrom(envelope.Payload);
            return await WatchAsync(promoted.Model, promoted.Version, promoted.ArtifactSha256, cancellationToken);
        }
        if (envelope.Type == ModelRolledBack.Descriptor.FullName)
        {
            var rolledBack = ModelRolledBack.Parser.ParseFrom(envelope.Payload);
            return await WatchAsync(rolledBack.Model, rolledBack.ToVersion, rolledBack.ArtifactSha256, cancellationToken);
        }
        if (envelope.Type == ModelLoadFailed.Descriptor.FullName)
        {
            await PublishAsync(LoadFailedAlert(ModelLoadFailed.Parser.ParseFrom(envelope.Payload), record), cancellationToken);
            return false;
        }
        IReadOnlyList<DriftAlert> alerts;
        string model;
        if (envelope.Type == LabelObserved.Descriptor.FullName)
        {
            var label = LabelObserved.Parser.ParseFrom(envelope.Payload);
            if (string.IsNullOrEmpty(label.Model)) return false;
            model = label.Model;
            alerts = monitors.Observe(new LabelRecord(label.Model, label.PredictionId, label.EntityId, label.EventTime?.ToDateTimeOffset() ?? record.AppendedAt, label.Label));
        }
        else
        {
            return false;
        }
        _touched.Add(model);
        foreach (var alert in alerts)
        {
            await PublishAsync(AlertMapping.ToEvent(alert), cancellationToken);
        }
        return false;
    }

    /// <summary>
    /// Serving kept its current version because a promoted one (or a challenger) failed to load: ops must know, so it
    /// goes out as a CRITICAL alert on the same stream; its id comes from the event's position, so a replay repeats it.
    /// </summary>
    private static DriftDetected LoadFailedAlert(ModelLoadFailed failed, ConsumedRecord record) => new()
    {
        AlertId = $"{failed.Model}/v{failed.Version}/load-failed@{record.Partition}:{record.Offset}",
        Model = failed.Model,
        Version = failed.Version,
        Severity = Severity.Critical,
        Kind = Contracts.Events.V1.DriftKind.ModelLoadFailed,
        Statistic = "load",
        DedupKey = $"{failed.Model}/v{failed.Version}/load-failed",
        DetectedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(record.AppendedAt),
        Summary = $"Serving could not load {failed.Model} v{failed.Version}; {(failed.KeptVersion == 0 ? "no version" : $"v{failed.KeptVersion}")} keeps serving: {failed.Reason}",
    };

    private async Task<bool> WatchAsync(string model, int version, string sha256, CancellationToken cancellationToken)
    {
        lock (_watched)
        {
            if (_watched.TryGetValue(model, out var current) && current.Version == version) return false;
        }
        MonitoredVersion loaded;
        try
        {
            loaded = await profiles.LoadAsync(model, version, sha256, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Without a reference profile there is nothing to compare with; predictions of this version are ignored
            // (and counted) until a version with a readable artifact is promoted.
            LogProfileFailed(logger, model, version, ex);
            return false;
        }
        if (loaded.Profile is null)
        {
            // Imported without a sample: watched (its health says "no reference"), its predictions counted, no drift measured.
            monitors.For(model).ActivateWithoutReference(version, loaded.Task);
            LogNoReference(logger, model, version);
        }
        else
        {
            monitors.Activate(model, version, loaded.Profile, loaded.Task, loaded.Segment);
            LogWatching(logger, model, version);
        }
        lock (_watched)
        {
            _watched[model] = (version, sha256);
        }
        _touched.Add(model);
        return true;
    }

    private async Task PublishAsync(DriftDetected alert, CancellationToken cancellationToken)
    {
        if (store.RecentAlerts(alert.Model, 50).Any(a => a.AlertId == alert.AlertId))
        {
            return; // raised again from redelivered records
        }
        // The topic first, then the store: a crash in between publishes again (same id, consumers deduplicate)
        // rather than never.
        await log.AppendAsync(Topics.DriftDetected, [new OutgoingRecord(alert.Model, EventEnvelopes.Wrap(alert, alert.Model, Producer, eventId: alert.AlertId).ToByteArray())], cancellationToken);
        store.AddAlert(alert);
        MonitoringMetrics.Raised(alert);
        feed.Publish(alert);
        LogAlert(logger, alert.Severity, alert.Summary);
    }

    private void Checkpoint()
    {
        _dirty = false;
        _lastCheckpoint = time.GetTimestamp();
        if (_touched.Count == 0) return;
        var states = new List<(string Model, int, string, MonitorCheckpoint?)>();
        var history = new List<Domain.History.DriftHistoryBatch>();
        lock (_watched)
        {
            foreach (var model in _touched)
            {
                if (_watched.TryGetValue(model, out var watched))
                {
                    var monitor = monitors.For(model);
                    states.Add((model, watched.Version, watched.Sha, monitor.ExportCheckpoint()));
                    var evaluated = monitor.TakeHistory();
                    if (evaluated.Dropped > 0) LogHistoryDropped(logger, model, evaluated.Dropped);
                    history.Add(evaluated);
                }
            }
        }
        try
        {
            store.Checkpoint(states, history);
        }
        catch
        {
            // The waiting predictions were handed over as changes since the last stored checkpoint: with this one lost,
            // the next must write them whole.
            foreach (var (model, _, _, _) in states) monitors.For(model).CheckpointLost();
            throw;
        }
        _touched.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitoring {Model} v{Version} against its reference profile")]
    private static partial void LogWatching(ILogger logger, string model, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Model} v{Version} with no reference: its artifact has no reference profile (imported without a sample), so drift is not measured")]
    private static partial void LogNoReference(ILogger logger, string model, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift history of {Model} lost {Dropped} evaluated window(s): more were evaluated between two checkpoints than Drift:Window:HistoryBuffer holds")]
    private static partial void LogHistoryDropped(ILogger logger, string model, long dropped);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Severity} drift alert: {Summary}")]
    private static partial void LogAlert(ILogger logger, Severity severity, string summary);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not read the reference profile of {Model} v{Version}; it is not monitored")]
    private static partial void LogProfileFailed(ILogger logger, string model, int version, Exception exception);
}
