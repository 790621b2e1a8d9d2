using System.Diagnostics;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Features.Domain;
using Cascade.Features.Erasure;
using Cascade.Features.Grpc;
using Cascade.Features.Options;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;

namespace Cascade.Features.Materialization;

/// <summary>
/// Materializes one feature view: applies data records to entity states and writes the online store (one batch
/// write per consumed batch); at most every <see cref="MaterializationOptions.CheckpointInterval"/> it appends the
/// offline rows of what it applied since (one point-in-time row per record), checkpoints states and applied offsets
/// together, and reports the watermark reached. Redelivered records (offset below the applied offset of their
/// partition) are skipped, so a restart never counts a record twice; so are the records of erased entities
/// (<see cref="EntityErasures"/>), and everything it writes it writes holding the view's erasure gate.
/// </summary>
public sealed class FeatureMaterializer
{
    private readonly FeatureViewDefinition _view;
    private readonly FeatureStateStore _stateStore;
    private readonly IOnlineStore _online;
    private readonly IOfflineStore _offline;
    private readonly Dictionary<string, EntityState> _states;
    private readonly Dictionary<int, long> _applied;
    private readonly EntityErasures _erasures;
    private readonly SemaphoreSlim _gate;
    private readonly MaterializationOptions _checkpoints;
    private long _erasuresSeen;

    // Applied and written online since the last checkpoint: the states to save and the offline rows to append with it.
    private readonly Dictionary<string, EntityState> _unsavedStates = new(StringComparer.Ordinal);
    private readonly List<OfflineFeatureRow> _unsavedRows = [];
    private long _lastCheckpoint = Stopwatch.GetTimestamp();

    /// <summary>Every batch checkpointed as it is applied: what direct callers (tests, tools) get unless they say otherwise.</summary>
    private static readonly MaterializationOptions EveryBatch = new() { CheckpointInterval = TimeSpan.Zero };

    // The view version's encodings, as every FeaturesMaterialized carries them (fixed with the version: built once,
    // not per batch; never mutated, so every event can share them).
    private readonly Contracts.Common.V1.CategoricalColumn[] _categoricals;

    private FeatureMaterializer(FeatureViewDefinition view, FeatureStateStore stateStore, IOnlineStore online, IOfflineStore offline, EntityErasures erasures, long erasuresSeen, Dictionary<string, EntityState> states, Dictionary<int, long> applied, long labeledRows,
        MaterializationOptions checkpoints)
    {
        _view = view;
        _checkpoints = checkpoints;
        _erasures = erasures;
        _gate = erasures.Gate(view.Name);
        _erasuresSeen = erasuresSeen;
        _stateStore = stateStore;
        _online = online;
        _offline = offline;
        _states = states;
        _applied = applied;
        _categoricals = CategoricalMapping.ToProto(view.Categoricals).ToArray();
        Applied = new Dictionary<int, long>(applied);
        LabeledRows = labeledRows;
    }

    public FeatureViewDefinition View => _view;

    /// <summary>Append → online store latency of the records this materializer applied.</summary>
    public FreshnessTracker Freshness { get; } = new();

    /// <summary>Labeled offline rows of this view version so far.</summary>
    public long LabeledRows { get; private set; }

    /// <summary>Next offset to apply per partition, as of the last checkpoint (a snapshot: safe to read from any thread).</summary>
    public IReadOnlyDictionary<int, long> Applied { get; private set; } = new Dictionary<int, long>();

    /// <summary>
    /// Whether records were applied (and written online) since the last checkpoint: their consumer must not commit
    /// them yet.
    /// </summary>
    public bool HasUnsaved
    {
        get => Volatile.Read(ref _hasUnsaved);
        private set => Volatile.Write(ref _hasUnsaved, value);
    }

    // Set and cleared under the view's gate; read by the loop between calls (an erasure may checkpoint from another thread).
    private bool _hasUnsaved;

    /// <summary>Loads the checkpoint and rebuilds the (non-durable) online store from it.</summary>
    /// <param name="checkpoints">How often to checkpoint; null checkpoints every batch.</param>
    public static async Task<FeatureMaterializer> StartAsync(FeatureViewDefinition view, FeatureStateStore stateStore, IOnlineStore online, IOfflineStore offline, EntityErasures erasures, CancellationToken cancellationToken,
        MaterializationOptions? checkpoints = null)
    {
        var gate = erasures.Gate(view.Name);
        await gate.WaitAsync(cancellationToken);
        try
        {
            // An erasure holds the gate while it deletes, so the checkpoint read here has none of what was erased
            // before; erasures after this generation are applied to the loaded states before the next write.
            var seen = erasures.Generation;
            var (states, applied) = stateStore.Load(StateKey(view));
            var labeled = await offline.CountLabeledAsync(view.Name, view.Version, cancellationToken);
            var materializer = new FeatureMaterializer(view, stateStore, online, offline, erasures, seen, states, applied, labeled, checkpoints ?? EveryBatch);
            await materializer.RebuildOnlineHeldAsync(cancellationToken);
            return materializer;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Writes every entity's latest vector to the online store, then marks the view intact there: at start (the
    /// all-in-one store lives in memory), and whenever the store lost its data (a Redis restart without persistence).
    /// </summary>
    public async Task RebuildOnlineAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ForgetErasedAsync(cancellationToken);
            await RebuildOnlineHeldAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Drops the in-memory state of the entities erased since this materializer last looked (the erasure deleted their
    /// stored state and rows already), with their rows and states waiting for the next checkpoint, so nothing of them
    /// is written again; the labeled count follows the deletion.
    /// </summary>
    private async Task ForgetErasedAsync(CancellationToken cancellationToken)
    {
        var generation = _erasures.Generation;
        if (generation == _erasuresSeen) return;
        var dataset = _view.Spec.Dataset;
        foreach (var entity in _erasures.ErasedSince(dataset, _erasuresSeen))
        {
            _states.Remove(entity);
            _unsavedStates.Remove(entity);
        }
        _unsavedRows.RemoveAll(row => _erasures.Skips(dataset, row.EntityId, row.Partition, row.Offset));
        LabeledRows = await _offline.CountLabeledAsync(_view.Name, _view.Version, cancellationToken);
        _erasuresSeen = generation;
    }

    private async Task RebuildOnlineHeldAsync(CancellationToken cancellationToken)
    {
        const int chunk = 5_000;
        var now = DateTimeOffset.UtcNow;
        // Each vector keeps the time it was last written (the store counts the ttl from it), so an entity idle longer
        // than the ttl is dropped, not brought back; a state checkpointed before write times were kept counts from now.
        var vectors = _states.Select(s => new FeatureVector(s.Key, s.Value.Compute(_view, s.Value.LatestTicks), new DateTimeOffset(s.Value.LatestTicks, TimeSpan.Zero),
            s.Value.WrittenTicks > 0 ? new DateTimeOffset(s.Value.WrittenTicks, TimeSpan.Zero) : now)).ToArray();
        for (var start = 0; start < vectors.Length; start += chunk)
        {
            await _online.WriteBatchAsync(_view.Name, vectors[start..Math.Min(vectors.Length, start + chunk)], _view.TimeToLive, cancellationToken);
        }
        await _online.MarkIntactAsync(_view.Name, cancellationToken);
    }

    /// <summary>Rebuilds the online store if it lost the view's vectors since they were written; true when it did.</summary>
    public async Task<bool> EnsureOnlineIntactAsync(CancellationToken cancellationToken)
    {
        if (await _online.IsIntactAsync(_view.Name, cancellationToken)) return false;
        await RebuildOnlineAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Applies a consumed batch (empty after a poll that found nothing: a due checkpoint still happens) and writes its
    /// vectors online; checkpoints when one is due. Returns the event to publish when it checkpointed new rows, else null.
    /// </summary>
    /// <param name="traceparents">When given, receives the traceparent of each record it reads (for the batch's span).</param>
    public async Task<FeaturesMaterialized?> ProcessAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken, List<string>? traceparents = null)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ForgetErasedAsync(cancellationToken);
            return await ProcessHeldAsync(batch, cancellationToken, traceparents);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Checkpoints now whatever was applied since the last checkpoint; returns the event to publish when there were new rows.</summary>
    public async Task<FeaturesMaterialized?> CheckpointAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ForgetErasedAsync(cancellationToken);
            return await CheckpointHeldAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<FeaturesMaterialized?> ProcessHeldAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken, List<string>? traceparents)
    {
        var latest = new Dictionary<string, FeatureVector>(StringComparer.Ordinal);
        var rows = 0;
        var appended = new List<DateTimeOffset>(batch.Count);
        var now = DateTimeOffset.UtcNow;
        var erased = 0;
        foreach (var consumed in batch)
        {
            if (_applied.TryGetValue(consumed.Partition, out var next) && consumed.Offset < next)
            {
                continue; // applied before a crash, redelivered after it
            }
            _applied[consumed.Partition] = consumed.Offset + 1; // in memory only: a failed batch makes the service reload the checkpoint
            var envelope = EventEnvelope.Parser.ParseFrom(consumed.Value.Span);
            traceparents?.Add(envelope.Traceparent);
            var record = EventEnvelopes.Unwrap(envelope, DataRecord.Parser);
            if (_erasures.Skips(_view.Spec.Dataset, record.EntityId, consumed.Partition, consumed.Offset))
            {
                erased++;
                continue; // an erased entity's record: never materialized again
            }
            if (!_states.TryGetValue(record.EntityId, out var state))
            {
                _states[record.EntityId] = state = new EntityState();
            }
            if (state.IsRepeat(record.RecordId))
            {
                continue; // the same record stored twice by the broker (a retried send): applied once
            }
            // Freshness counts from Ingestion's acceptance, stamped in the record: Kafka 0.9 stores no append time,
            // so the log's AppendedAt is only when it was read there.
            appended.Add(record.IngestedAt?.ToDateTimeOffset() ?? consumed.AppendedAt);
            var eventTime = record.EventTime.ToDateTimeOffset();
            var values = new Dictionary<string, double>(_view.SourceColumns.Count, StringComparer.Ordinal);
            foreach (var column in _view.SourceColumns)
            {
                values[column] = record.Values.TryGetValue(column, out var v) ? ToDouble(v) : double.NaN;
            }
            Dictionary<string, string?>? texts = null;
            if (_view.Categoricals.Count > 0)
            {
                texts = new Dictionary<string, string?>(_view.Categoricals.Count, StringComparer.Ordinal);
                foreach (var categorical in _view.Categoricals)
                {
                    texts[categorical.Column] = CategoricalText.Of(record.Values.TryGetValue(categorical.Column, out var text) ? text : null);
                }
            }
            var features = state.Apply(_view, eventTime, values, texts);
            state.Written(now); // checkpointed below, after the online write
            _unsavedStates[record.EntityId] = state;
            latest[record.EntityId] = new FeatureVector(record.EntityId, features, eventTime, now);
            _unsavedRows.Add(new OfflineFeatureRow(record.EntityId, eventTime, consumed.Partition, consumed.Offset, features, record.HasLabel ? record.Label : null));
            rows++;
        }
        // Records of erased entities only: nothing to write, but the view has read past them (its status says so once
        // checkpointed, and a restart need not read them again).
        if (rows > 0 || erased > 0) HasUnsaved = true;
        if (rows > 0)
        {
            // Online at once: freshness is what serving sees. The offline rows and the checkpoint follow when due; the
            // offline store ignores rows it already has, so a crash in between is harmless.
            await _online.WriteBatchAsync(_view.Name, latest.Values.ToArray(), _view.TimeToLive, cancellationToken);
            var written = DateTimeOffset.UtcNow;
            foreach (var appendedAt in appended)
            {
                // Ingestion's clock may run a little ahead of this host's: never below zero.
                var freshness = Math.Max(0, (written - appendedAt).TotalMilliseconds);
                Freshness.Record(freshness);
                FeaturesMetrics.Record(_view.Name, freshness);
            }
        }
        var due = _checkpoints.CheckpointInterval <= TimeSpan.Zero
                  || _unsavedRows.Count >= _checkpoints.MaxRowsPerCheckpoint
                  || Stopwatch.GetElapsedTime(_lastCheckpoint) >= _checkpoints.CheckpointInterval;
        return due ? await CheckpointHeldAsync(cancellationToken) : null;
    }

    /// <summary>Appends the rows applied since the last checkpoint, then saves states and offsets in one transaction.</summary>
    private async Task<FeaturesMaterialized?> CheckpointHeldAsync(CancellationToken cancellationToken)
    {
        _lastCheckpoint = Stopwatch.GetTimestamp();
        if (!HasUnsaved) return null;
        var rows = _unsavedRows.Count;
        if (rows > 0)
        {
            // Rows the offline store already had (written before a crash, past the checkpoint) are not counted again.
            LabeledRows += await _offline.AppendAsync(_view.Name, _view.Version, _unsavedRows, cancellationToken);
        }
        _stateStore.Checkpoint(StateKey(_view), _unsavedStates, _applied);
        Applied = new Dictionary<int, long>(_applied);
        var entities = _unsavedStates.Count;
        _unsavedRows.Clear();
        _unsavedStates.Clear();
        HasUnsaved = false;
        if (rows == 0) return null;

        var watermark = new Watermark { Topic = Topics.Data(_view.Spec.Dataset) };
        watermark.Partitions.AddRange(_applied.OrderBy(a => a.Key).Select(a => new PartitionOffset { Partition = a.Key, Offset = a.Value }));
        return new FeaturesMaterialized
        {
            FeatureView = _view.Name,
            ViewVersion = _view.Version,
            Watermark = watermark,
            EntitiesUpdated = entities,
            RowsWritten = rows,
            LabeledRowsTotal = LabeledRows,
            FeatureNames = { _view.FeatureNames },
            Categoricals = { _categoricals },
        };
    }

    /// <summary>State is kept per view version: a new version starts from the beginning of the data.</summary>
    internal static string StateKey(FeatureViewDefinition view) => $"{view.Name}@{view.Version}";

    private static double ToDouble(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.Float64Value => value.Float64Value,
        Value.KindOneofCase.Int64Value => value.Int64Value,
        Value.KindOneofCase.BoolValue => value.BoolValue ? 1 : 0,
        _ => double.NaN,
    };
}
