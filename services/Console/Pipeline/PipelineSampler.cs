using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Cascade.Contracts.Pipeline.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;

namespace Cascade.WebConsole.Pipeline;

/// <summary>
/// Listens to the instruments the services of this process publish (what <c>/metrics</c> exports) and turns them into
/// the pipeline's figures: records accepted and predictions made per second (counter deltas over the last
/// <see cref="RateWindow"/>), consumer lag per group and topic (the event log's gauge, read when asked) and feature
/// freshness (the most recent <see cref="FreshnessSamples"/> records per view). In the all-in-one host every service
/// is in this process, so the figures cover the whole cascade; instruments are process-wide, so several hosts in one
/// process (tests) are counted together.
/// </summary>
public sealed class PipelineSampler : IHostedService, IDisposable
{
    /// <summary>The span rates are measured over.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(60);

    /// <summary>Records per feature view that freshness percentiles are computed over.</summary>
    public const int FreshnessSamples = 512;

    private static readonly TimeSpan SnapshotPeriod = TimeSpan.FromSeconds(5);

    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Dataset, string Outcome), long> _ingested = new();
    private readonly ConcurrentDictionary<(string Model, string Role), long> _predicted = new();
    private readonly ConcurrentDictionary<string, FreshnessWindow> _freshness = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Queue<Snapshot> _history = new();
    private readonly ITimer _timer;
    private Dictionary<(string Group, string Topic), long>? _lagBeingRead;

    public PipelineSampler(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name is "cascade.ingestion.records" or "cascade.serving.predictions" or "cascade.eventlog.consumer.lag" or "cascade.features.freshness")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
        TakeSnapshot();
        _timer = _time.CreateTimer(_ => TakeSnapshot(), null, SnapshotPeriod, SnapshotPeriod);
    }

    /// <summary>The figures now, with rates over the last minute (or since start, when younger).</summary>
    public PipelineStatus Read(IEnumerable<string> sources)
    {
        var now = Take();
        Snapshot oldest;
        lock (_gate) oldest = _history.Count > 0 ? _history.Peek() : now;
        var seconds = (now.At - oldest.At).TotalSeconds;
        double Rate(long current, long before) => seconds > 0 ? Math.Max(0, current - before) / seconds : 0;

        var status = new PipelineStatus { SampledAt = Timestamp.FromDateTimeOffset(now.At), RateWindowSeconds = seconds, Sources = { sources } };
        foreach (var dataset in now.Ingested.Keys.Select(k => k.Dataset).Distinct().Order(StringComparer.Ordinal))
        {
            long Count(Snapshot s, string outcome) => s.Ingested.GetValueOrDefault((dataset, outcome));
            status.Ingest.Add(new DatasetIngest
            {
                Dataset = dataset,
                AcceptedPerSecond = Rate(Count(now, "accepted"), Count(oldest, "accepted")),
                AcceptedTotal = Count(now, "accepted"),
                RejectedTotal = Count(now, "rejected"),
                DuplicateTotal = Count(now, "duplicate"),
            });
        }
        foreach (var model in now.Predicted.Keys.Select(k => k.Model).Distinct().Order(StringComparer.Ordinal))
        {
            long Count(Snapshot s, string? role) => s.Predicted.Where(p => p.Key.Model == model && (role is null || p.Key.Role == role)).Sum(p => p.Value);
            status.Predictions.Add(new ModelPredictions
            {
                Model = model,
                PredictionsPerSecond = Rate(Count(now, null) - Count(now, "shadow"), Count(oldest, null) - Count(oldest, "shadow")),
                PredictionsTotal = Count(now, null) - Count(now, "shadow"),
                CanaryPerSecond = Rate(Count(now, "canary"), Count(oldest, "canary")),
                ShadowPerSecond = Rate(Count(now, "shadow"), Count(oldest, "shadow")),
            });
        }
        foreach (var ((group, topic), lag) in ReadLag().OrderBy(l => l.Key.Group, StringComparer.Ordinal).ThenBy(l => l.Key.Topic, StringComparer.Ordinal))
        {
            status.ConsumerLag.Add(new ConsumerLag { Group = group, Topic = topic, Lag = lag });
        }
        foreach (var (view, window) in _freshness.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var (p50, p99, samples) = window.Percentiles();
            status.Freshness.Add(new FeatureViewFreshness { FeatureView = view, P50Ms = p50, P99Ms = p99, Samples = samples });
        }
        return status;
    }

    private Dictionary<(string Group, string Topic), long> ReadLag()
    {
        // The gauge is observed on demand: its callback asks every live consumer now (OnLong collects the answers).
        lock (_gate)
        {
            _lagBeingRead = [];
            try
            {
                _listener.RecordObservableInstruments();
                return _lagBeingRead;
            }
            finally
            {
                _lagBeingRead = null;
            }
        }
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case "cascade.ingestion.records":
                _ingested.AddOrUpdate((Tag(tags, "dataset"), Tag(tags, "outcome")), value, (_, total) => total + value);
                break;
            case "cascade.serving.predictions":
                _predicted.AddOrUpdate((Tag(tags, "model"), Tag(tags, "role")), value, (_, total) => total + value);
                break;
            case "cascade.eventlog.consumer.lag" when _lagBeingRead is { } lag:
                var key = (Tag(tags, "group"), Tag(tags, "topic"));
                lag[key] = lag.GetValueOrDefault(key) + value;
                break;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == "cascade.features.freshness")
        {
            _freshness.GetOrAdd(Tag(tags, "view"), _ => new FreshnessWindow(FreshnessSamples)).Add(value);
        }
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name) return tag.Value?.ToString() ?? string.Empty;
        }
        return string.Empty;
    }

    private Snapshot Take() => new(_time.GetUtcNow(), new Dictionary<(string, string), long>(_ingested), new Dictionary<(string, string), long>(_predicted));

    private void TakeSnapshot()
    {
        var snapshot = Take();
        lock (_gate)
        {
            _history.Enqueue(snapshot);
            // Keep the newest snapshot that is at least a window old, so rates span the whole window.
            while (_history.Count > 1 && snapshot.At - _history.ElementAt(1).At >= RateWindow) _history.Dequeue();
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask; // listening since construction

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _timer.Dispose();
        _listener.Dispose();
    }

    private sealed record Snapshot(DateTimeOffset At, IReadOnlyDictionary<(string Dataset, string Outcome), long> Ingested, IReadOnlyDictionary<(string Model, string Role), long> Predicted);
}
