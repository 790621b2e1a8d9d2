using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Detectors;
using Cascade.Monitoring.Domain.Distributions;
using Cascade.Monitoring.Domain.Evaluation;
using Cascade.Monitoring.Domain.History;
using Cascade.Monitoring.Domain.Labels;
using Cascade.Monitoring.Domain.Performance;
using Cascade.Monitoring.Domain.Segments;
using Cascade.Ml.Artifacts;
using Cascade.Monitoring.Domain.Windows;
using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain;

/// <summary>
/// Watches the served version of one model: drift of every feature and of the prediction over a sliding window of
/// predictions against the version's reference profile, performance once labels join, ADWIN and Page–Hinkley on the
/// per-example loss, and deduplicated <see cref="DriftAlert"/>s.
/// </summary>
/// <remarks>
/// Pure and deterministic: time is the records' event time, never the wall clock, so replaying the same records yields
/// the same alerts with the same ids. Methods are serialised by a lock, so the event consumer and health queries may
/// call from different threads; a model's records are expected in stream order.
/// </remarks>
public sealed class ModelMonitor
{
    private static readonly DriftAlert[] NoAlerts = [];

    private readonly object gate = new();
    private readonly MonitoringOptions options;
    private readonly TaskScheduler calibrationScheduler;
    private readonly DistributionComparer comparer;
    private readonly CategoryComparer categoryComparer;
    private readonly AlertDeduplicator deduplicator;
    private readonly Adwin adwin;
    private readonly PageHinkley pageHinkley;
    private Watched? watched;
    private (int Version, ModelTask Task)? unreferenced; // the version watched without a reference profile, if so
    private MonitorCounters counters = new();
    private long lastOffset = long.MinValue;
    // Evaluated windows waiting to be stored as drift history, and the series (with thresholds) of their versions.
    private readonly Queue<WindowEvaluation> history = new();
    private readonly Dictionary<int, IReadOnlyList<DriftSeriesDefinition>> historySeries = new();
    private long historyDropped;

    /// <summary>Creates a monitor for <paramref name="model"/>; it watches nothing until <see cref="Activate"/>.</summary>
    /// <param name="calibrationScheduler">Where each version's threshold calibration runs (a dedicated thread by default); tests hold it back.</param>
    public ModelMonitor(string model, MonitoringOptions options, TaskScheduler? calibrationScheduler = null)
    {
        this.calibrationScheduler = calibrationScheduler ?? TaskScheduler.Default;
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        options.ThrowIfInvalid();
        Model = model;
        this.options = options;
        comparer = new DistributionComparer(options.Thresholds);
        categoryComparer = new CategoryComparer(options.Thresholds, options.Categorical);
        deduplicator = new AlertDeduplicator(options.Alerts.QuietPeriod);
        adwin = new Adwin(options.Adwin);
        pageHinkley = new PageHinkley(options.PageHinkley);
    }

    /// <summary>The model watched.</summary>
    public string Model { get; }

    /// <summary>The version watched; null before the first activation.</summary>
    public int? Version
    {
        get { lock (gate) return watched?.Version ?? unreferenced?.Version; }
    }

    /// <summary>
    /// Starts watching <paramref name="version"/> (a promotion or a rollback): switches to its reference profile and
    /// clears the windows, waiting labels, detectors and the dedup memory of the previous version. Returns false, and
    /// changes nothing, when that version is already watched (a redelivered promotion). <paramref name="segment"/> is
    /// the version's own segment column (its manifest's, from the training policy), null when it has none.
    /// </summary>
    public bool Activate(int version, ReferenceProfile profile, ModelTask task, ModelSegment? segment = null)
    {
        profile.Validate();
        lock (gate)
        {
            if (watched?.Version == version) return false;
            watched = new Watched(Model, version, task, profile, options, segment, calibrationScheduler);
            unreferenced = null;
            adwin.Reset();
            pageHinkley.Reset();
            deduplicator.Clear();
            counters = new MonitorCounters();
            return true;
        }
    }

    /// <summary>
    /// Starts watching <paramref name="version"/>, whose artifact has no reference profile (a model imported without a
    /// sample): there is nothing to measure drift against, so its predictions are only counted and
    /// <see cref="Health"/> reports the version with <see cref="ModelHealth.NoReferenceProfile"/>. Returns false when
    /// that version is already watched so.
    /// </summary>
    public bool ActivateWithoutReference(int version, ModelTask task)
    {
        lock (gate)
        {
            if (watched is null && unreferenced?.Version == version) return false;
            watched = null;
            unreferenced = (version, task);
            adwin.Reset();
            pageHinkley.Reset();
            deduplicator.Clear();
            counters = new MonitorCounters();
            return true;
        }
    }

    /// <summary>Adds a prediction; returns the alerts an evaluation of the window raised (usually none).</summary>
    public IReadOnlyList<DriftAlert> Observe(in PredictionRecord prediction)
    {
        EnsureMine(prediction);
        lock (gate)
        {
            return Add(prediction) ?? (IReadOnlyList<DriftAlert>)NoAlerts;
        }
    }

    /// <summary>
    /// Adds predictions in stream order, as one call each would, under one lock (the consumer hands a model's
    /// predictions in runs); returns the alerts their evaluations raised, in order.
    /// </summary>
    public IReadOnlyList<DriftAlert> Observe(ReadOnlySpan<PredictionRecord> predictions)
    {
        foreach (ref readonly var prediction in predictions) EnsureMine(prediction);
        List<DriftAlert>? raised = null;
        lock (gate)
        {
            foreach (ref readonly var prediction in predictions)
            {
                if (Add(prediction) is { Count: > 0 } alerts) (raised ??= []).AddRange(alerts);
            }
        }
        return raised ?? (IReadOnlyList<DriftAlert>)NoAlerts;
    }

    private void EnsureMine(in PredictionRecord prediction)
    {
        if (!string.Equals(prediction.Model, Model, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Prediction for model '{prediction.Model}' sent to the monitor of '{Model}'.", nameof(prediction));
        }
    }

    /// <summary>Adds one prediction (the lock held); the alerts an evaluation raised, null when none.</summary>
    private IReadOnlyList<DriftAlert>? Add(in PredictionRecord prediction)
    {
        var w = watched;
        if (w is null && unreferenced?.Version == prediction.Version && prediction.Offset > lastOffset)
        {
            // No reference to compare with: the prediction is only counted.
            lastOffset = prediction.Offset;
            counters = counters with { PredictionsSeen = counters.PredictionsSeen + 1 };
            return null;
        }
        if (w is null || prediction.Version != w.Version)
        {
            counters = counters with { PredictionsIgnored = counters.PredictionsIgnored + 1 };
            return null;
        }
        if (prediction.Offset <= lastOffset)
        {
            counters = counters with { PredictionsDuplicate = counters.PredictionsDuplicate + 1 };
            return null;
        }
        if (prediction.Features.Length != w.Features.Length || prediction.Outputs.IsEmpty || !InRange(prediction.Withheld.Span, w.Features.Length))
        {
            counters = counters with { PredictionsRejected = counters.PredictionsRejected + 1 };
            return null;
        }
        lastOffset = prediction.Offset;
        if (prediction.Time > w.Watermark) w.Watermark = prediction.Time;

        var outputs = prediction.Outputs.Span;
        var segment = w.Segments?.SegmentOf(prediction.Features.Span, prediction.Withheld.Span, prediction.Segment) ?? SegmentDefinition.Unknown;
        // An unchanged entity scored again is not a new member of the population the window measures; it still waits
        // for its label and counts as seen.
        var repeated = options.Window.SkipRepeatedInputs && w.Window.IsRepeat(prediction.EntityId, prediction.Features.Span, outputs[0], prediction.Withheld.Span);
        SegmentVerdict? verdict = null;
        if (!repeated)
        {
            // A logged segment is kept with the record: the fairness summary groups the window by it.
            w.Window.Add(prediction.Features.Span, outputs[0], prediction.Offset, prediction.Time, prediction.Withheld.Span, prediction.EntityId,
                w.Segments is { FromLog: true } ? prediction.Segment : null);
            verdict = w.Segments?.Add(segment, prediction.Features.Span, outputs[0], prediction.Offset, prediction.Time, prediction.Withheld.Span);
        }
        if (!string.IsNullOrEmpty(prediction.PredictionId) || !string.IsNullOrEmpty(prediction.EntityId))
        {
            w.Pending.Add(new PendingPrediction(prediction.PredictionId, prediction.EntityId, prediction.Time, prediction.Offset, outputs.ToArray(), w.Segments?.NameOf(segment)));
        }
        w.Pending.Expire(w.Watermark);
        counters = counters with
        {
            PredictionsSeen = counters.PredictionsSeen + 1,
            PredictionsRepeated = counters.PredictionsRepeated + (repeated ? 1 : 0),
        };
        // The window is unchanged by a repeat: evaluating it again could only repeat the last verdict.
        if (repeated) return null;

        IReadOnlyList<DriftAlert>? alerts = null;
        w.SinceEvaluation++;
        if (w.Window.IsFull && w.SinceEvaluation >= options.Window.EvaluationStride)
        {
            w.SinceEvaluation = 0;
            Evaluate(w);
            alerts = DriftAlerts(w, prediction.Time);
        }
        if (verdict is { Severity: > AlertSeverity.None } && WholeLooksFine(w)) alerts = SegmentAlert(w, verdict, prediction.Time, alerts);
        return alerts;
    }

    /// <summary>Whether the whole traffic's latest evaluation found no drift of any feature or of the prediction.</summary>
    private static bool WholeLooksFine(Watched w) =>
        w.LastBounds is not null && w.LastPrediction is not { Severity: > AlertSeverity.None } && w.LastFeatures.All(f => f.Severity == AlertSeverity.None);

    /// <summary>
    /// A segment moved from its baseline while the whole did not: what a drift averaged over all traffic hides (a group
    /// the model starts to serve worse). Deduplicated per segment.
    /// </summary>
    private IReadOnlyList<DriftAlert> SegmentAlert(Watched w, SegmentVerdict verdict, DateTimeOffset at, IReadOnlyList<DriftAlert>? alerts)
    {
        var raised = alerts is null ? null : new List<DriftAlert>(alerts);
        var top = verdict.Drifting[0];
        var summary = $"Segment {w.Segments!.Column}={verdict.Segment} of {Model} v{w.Version} moved from its baseline while the whole stays within thresholds: "
            + $"{verdict.Drifting.Count} test(s) fired; strongest: {top.Feature} ({Describe(verdict.Evidence)})";
        Emit(ref raised, w, DriftKind.SegmentDegraded, verdict.Severity, verdict.Evidence, verdict.Window, verdict.Drifting.Take(options.Window.TopFeatures).ToArray(), at, summary,
            segment: verdict.Segment);
        return raised ?? (IReadOnlyList<DriftAlert>)NoAlerts;
    }

    /// <summary>
    /// Joins a label to its waiting prediction and feeds the loss to the detectors; returns a performance alert when they
    /// flag an increase, and a segment's when its error rate rose from its baseline's while the whole's did not.
    /// </summary>
    public IReadOnlyList<DriftAlert> Observe(LabelRecord label)
    {
        if (!string.Equals(label.Model, Model, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Label for model '{label.Model}' sent to the monitor of '{Model}'.", nameof(label));
        }
        lock (gate)
        {
            var w = watched;
            if (w is null)
            {
                counters = counters with { LabelsUnmatched = counters.LabelsUnmatched + 1 };
                return NoAlerts;
            }
            if (label.Time > w.Watermark) w.Watermark = label.Time;
            w.Pending.Expire(w.Watermark);
            var prediction = double.IsFinite(label.Label) ? Join(w.Pending, label) : null;
            if (prediction is null)
            {
                counters = counters with { LabelsUnmatched = counters.LabelsUnmatched + 1 };
                return NoAlerts;
            }
            counters = counters with { LabelsJoined = counters.LabelsJoined + 1 };
            var labelled = new LabeledPrediction(prediction.Offset, prediction.Time, prediction.Outputs, label.Label, prediction.Segment);
            w.Performance.Add(labelled);

            var loss = DetectorLoss.For(w.Task, prediction.Outputs, label.Label, w.Prediction.Std, options.Labels.RegressionErrorScale);
            // ADWIN flags changes both ways; a falling loss is good news, not an alert.
            var adwinFlagged = adwin.Update(loss) && adwin.LastChange > 0;
            var pageHinkleyFlagged = pageHinkley.Update(loss);
            if (adwinFlagged) w.AdwinFlaggedAt = counters.LabelsJoined;
            if (pageHinkleyFlagged) w.PageHinkleyFlaggedAt = counters.LabelsJoined;
            IReadOnlyList<DriftAlert>? alerts = adwinFlagged || pageHinkleyFlagged ? PerformanceAlert(w, adwinFlagged ? adwin : pageHinkley, label.Time) : null;
            // A segment whose error rate rose from its baseline's while the whole's did not: a group the model now serves worse.
            if (w.Segments?.AddLabel(labelled) is { Severity: > AlertSeverity.None } verdict && w.Segments.WholeErrorsSteady())
            {
                alerts = SegmentErrorAlert(w, verdict, label.Time, alerts);
            }
            return alerts ?? NoAlerts;
        }
    }

    private IReadOnlyList<DriftAlert> SegmentErrorAlert(Watched w, SegmentVerdict verdict, DateTimeOffset at, IReadOnlyList<DriftAlert>? alerts)
    {
        var raised = alerts is null ? null : new List<DriftAlert>(alerts);
        var (baseline, latest) = w.Segments!.ErrorRates(verdict.Segment);
        var summary = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"The error rate of segment {w.Segments.Column}={verdict.Segment} of {Model} v{w.Version} rose to {latest:0.###} from {baseline:0.###} on its first labels while the whole's stays level ({Describe(verdict.Evidence)})");
        Emit(ref raised, w, DriftKind.SegmentDegraded, verdict.Severity, verdict.Evidence, verdict.Window, [], at, summary, segment: verdict.Segment);
        return raised ?? (IReadOnlyList<DriftAlert>)NoAlerts;
    }

    /// <summary>
    /// The current window against the reference profile for the prediction (<paramref name="feature"/> empty) or one
    /// numeric feature of <paramref name="version"/> (0: the watched one); binned under the lock, so the window cannot
    /// move while it is read.
    /// </summary>
    public DistributionAnswer Distribution(int version, string? feature)
    {
        lock (gate)
        {
            var w = watched;
            var current = w?.Version ?? unreferenced?.Version;
            if (current is null) return DistributionAnswer.Refused(DistributionProblem.ModelNotWatched, $"Model '{Model}' is not monitored: no version of it has been promoted yet.");
            if (version != 0 && version != current)
            {
                return DistributionAnswer.Refused(DistributionProblem.VersionNotWatched, $"Model '{Model}' v{version} is not watched (v{current} is): only the watched version's window is held.");
            }
            if (w is null)
            {
                return DistributionAnswer.Refused(DistributionProblem.NoReferenceProfile,
                    $"Model '{Model}' v{current} has no reference profile (its artifact carries no training sample): there is nothing to compare its predictions with.");
            }
            if (string.IsNullOrEmpty(feature)) return DistributionAnswer.Of(WindowDistribution.Of(w.Version, "", true, w.Profile.Prediction, w.Window.Outputs, w.Window.Bounds()));
            var index = Array.FindIndex(w.Features, f => string.Equals(f.Name, feature, StringComparison.Ordinal));
            if (index < 0)
            {
                return DistributionAnswer.Refused(DistributionProblem.UnknownFeature,
                    $"Model '{Model}' v{w.Version} has no feature '{feature}'; its features: {string.Join(", ", w.Features.Select(f => f.Name))}.");
            }
            if (w.Window.IsWithheld(index))
            {
                return DistributionAnswer.Refused(DistributionProblem.FeatureWithheld, $"The prediction log withholds feature '{feature}' of '{Model}' (a sensitive column): its values never reach Monitoring.");
            }
            return DistributionAnswer.Of(WindowDistribution.Of(w.Version, feature, false, w.Profile.Features[index], w.Window.Column(index), w.Window.Bounds()));
        }
    }

    /// <summary>The current health snapshot.</summary>
    public ModelHealth Health()
    {
        lock (gate)
        {
            var w = watched;
            IReadOnlyList<DetectorState> detectors = [DetectorState.Of(adwin), DetectorState.Of(pageHinkley)];
            if (w is null)
            {
                return new ModelHealth(Model, unreferenced?.Version, unreferenced?.Task, counters, 0, options.Window.Size, null, [], null,
                    new Dictionary<string, double>(), 0, 0, 0, detectors) { NoReferenceProfile = unreferenced is not null };
            }
            return new ModelHealth(Model, w.Version, w.Task, counters, w.Window.Count, w.Window.Capacity, w.LastBounds,
                Ranked(w.LastFeatures), w.LastPrediction, w.Performance.Metrics(w.Task), w.Performance.Count,
                w.Pending.Count, w.Pending.Dropped, detectors)
            {
                WithheldFeatures = w.LastWithheld,
                EstimatedPerformance = Estimated(w),
                EstimationError = w.EstimatesAccuracy ? EstimationErrors.Of(w.Performance.Export()) : new Dictionary<string, double>(),
                Fairness = w.Segments?.Summary(w.Window, w.Performance, w.Task),
                SegmentProblem = w.SegmentProblem,
            };
        }
    }

    /// <summary>
    /// The windows evaluated since the last call, for drift history (stored with the checkpoint, so a replay after a
    /// restart evaluates, and stores, the same windows again rather than losing or doubling them).
    /// </summary>
    public DriftHistoryBatch TakeHistory()
    {
        lock (gate)
        {
            var batch = new DriftHistoryBatch(Model, history.ToArray(), new Dictionary<int, IReadOnlyList<DriftSeriesDefinition>>(historySeries), historyDropped);
            history.Clear();
            historySeries.Clear();
            historyDropped = 0;
            return batch;
        }
    }

    /// <summary>The whole state, waiting predictions included; null before the first activation.</summary>
    public MonitorState? Export()
    {
        lock (gate)
        {
            return watched is { } w ? State(w, w.Pending.Export()) : null;
        }
    }

    /// <summary>
    /// The state to checkpoint with the consumer's offsets, the waiting predictions as changes since the previous
    /// checkpoint; null before the first activation. If that checkpoint is not stored, call <see cref="CheckpointLost"/>.
    /// </summary>
    public MonitorCheckpoint? ExportCheckpoint()
    {
        lock (gate)
        {
            return watched is { } w ? new MonitorCheckpoint(State(w, []), w.Pending.TakeChanges()) : null;
        }
    }

    /// <summary>The last <see cref="ExportCheckpoint"/> was not stored: the next one writes the waiting predictions whole.</summary>
    public void CheckpointLost()
    {
        lock (gate) watched?.Pending.ReplaceOnNextChanges();
    }

    /// <summary>The state of <paramref name="w"/> with <paramref name="pending"/> as its waiting predictions (the lock held).</summary>
    private MonitorState State(Watched w, IReadOnlyList<PendingPrediction> pending)
    {
        return new MonitorState
        {
            Model = Model,
            Version = w.Version,
            Task = w.Task,
            Counters = counters,
            LastOffset = lastOffset,
            Watermark = w.Watermark,
            SinceEvaluation = w.SinceEvaluation,
            Window = w.Window.Export(),
            Pending = pending,
            PendingDropped = w.Pending.Dropped,
            Performance = w.Performance.Export(),
            Adwin = adwin.Export(),
            PageHinkley = pageHinkley.Export(),
            AdwinFlaggedAt = w.AdwinFlaggedAt,
            PageHinkleyFlaggedAt = w.PageHinkleyFlaggedAt,
            Dedup = deduplicator.Export(),
            Segments = w.Segments?.Export(),
        };
    }

    /// <summary>
    /// Resumes from a checkpoint; <paramref name="profile"/> is the reference profile of the checkpoint's version and
    /// <paramref name="segment"/> its segment column (null when it has none).
    /// </summary>
    public void Import(MonitorState state, ReferenceProfile profile, ModelSegment? segment = null)
    {
        if (!string.Equals(state.Model, Model, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Checkpoint of model '{state.Model}' given to the monitor of '{Model}'.", nameof(state));
        }
        profile.Validate();
        lock (gate)
        {
            var w = new Watched(Model, state.Version, state.Task, profile, options, segment, calibrationScheduler);
            foreach (var record in state.Window) w.Window.Add(record.Features, record.Output, record.Offset, record.Time, record.Withheld, record.EntityId, record.Segment);
            w.Pending.Import(state.Pending, state.PendingDropped);
            foreach (var labeled in state.Performance) w.Performance.Add(labeled);
            w.Watermark = state.Watermark;
            w.SinceEvaluation = state.SinceEvaluation;
            w.AdwinFlaggedAt = state.AdwinFlaggedAt;
            w.PageHinkleyFlaggedAt = state.PageHinkleyFlaggedAt;
            w.Segments?.Import(state.Segments);
            adwin.Import(state.Adwin);
            pageHinkley.Import(state.PageHinkley);
            deduplicator.Import(state.Dedup);
            counters = state.Counters;
            lastOffset = state.LastOffset;
            watched = w;
            unreferenced = null;
            // Windows evaluated after the checkpoint are evaluated again as the records are replayed.
            history.Clear();
            historySeries.Clear();
            // Refresh the health figures; alerts for this window were decided (and counted) before the checkpoint.
            if (w.Window.IsFull) Evaluate(w, counted: false);
        }
    }

    /// <summary>The latest window's estimate: accuracy and ROC AUC, and the accuracy the held-out data expects.</summary>
    private static IReadOnlyDictionary<string, double> Estimated(Watched w)
    {
        var estimated = new Dictionary<string, double>(StringComparer.Ordinal);
        if (w.LastEstimate is not { } estimate) return estimated;
        estimated["accuracy"] = estimate.Accuracy;
        if (!double.IsNaN(estimate.RocAuc)) estimated["auc"] = estimate.RocAuc;
        estimated["reference_accuracy"] = estimate.Limits.ReferenceAccuracy;
        return estimated;
    }

    private static PendingPrediction? Join(PendingPredictions pending, LabelRecord label)
    {
        var byId = string.IsNullOrEmpty(label.PredictionId) ? null : pending.TakeById(label.PredictionId);
        if (byId is not null || string.IsNullOrEmpty(label.EntityId)) return byId;
        return pending.TakeByEntity(label.EntityId, label.Time);
    }

    private static bool InRange(ReadOnlySpan<int> indexes, int features)
    {
        foreach (var index in indexes)
        {
            if ((uint)index >= (uint)features) return false;
        }
        return true;
    }

    private void Evaluate(Watched w, bool counted = true)
    {
        // Numeric features one by one; a categorical column as a whole (its one-hot parts are not features of their own).
        // Features the log withholds (sensitive columns) are not measured: their values never reach Monitoring, so
        // they can neither drift nor name a category in an alert. The prediction's drift still reflects them.
        var features = new List<FeatureDrift>(w.NumericFeatures.Length + w.Categories.Length);
        var withheld = new List<string>();
        foreach (var f in w.NumericFeatures)
        {
            if (w.Window.IsWithheld(f)) withheld.Add(w.Features[f].Name);
            else features.Add(comparer.Compare(w.Features[f], w.Window.Column(f), w.FeatureLimits[f]));
        }
        for (var c = 0; c < w.Categories.Length; c++)
        {
            var category = w.Categories[c];
            if (category.FeatureIndices.Any(w.Window.IsWithheld)) withheld.Add(category.Column);
            else features.Add(categoryComparer.Compare(category, w.Window, w.CategoryLimits[c]));
        }
        w.LastFeatures = features;
        w.LastWithheld = withheld;
        var prediction = comparer.Compare(w.Prediction, w.Window.Outputs, w.PredictionLimits);
        w.LastPrediction = prediction;
        if (w.AccuracyLimits is { } limits) w.LastEstimate = PerformanceEstimate.Of(w.Window.Outputs, limits);
        w.LastBounds = w.Window.Bounds();
        if (!counted) return;
        counters = counters with { Evaluations = counters.Evaluations + 1 };
        Remember(new WindowEvaluation(Model, w.Version, w.LastBounds.Value, features, prediction), w);
    }

    private void Remember(WindowEvaluation evaluation, Watched w)
    {
        var capacity = options.Window.HistoryBuffer;
        if (capacity == 0) return;
        history.Enqueue(evaluation);
        historySeries[w.Version] = w.Series;
        while (history.Count > capacity)
        {
            history.Dequeue();
            historyDropped++;
        }
    }

    private IReadOnlyList<DriftAlert> DriftAlerts(Watched w, DateTimeOffset at)
    {
        List<DriftAlert>? alerts = null;
        var drifting = Ranked(w.LastFeatures).Where(f => f.Severity > AlertSeverity.None).Take(options.Window.TopFeatures).ToArray();
        if (drifting.Length > 0)
        {
            var top = drifting[0];
            var summary = $"{drifting.Length} feature(s) of {Model} v{w.Version} drifted from the training data; strongest: {top.Feature} ({Describe(top.Evidence!)}{MovedCategories(top)})";
            Emit(ref alerts, w, DriftKind.FeatureDrift, top.Severity, top.Evidence!, w.LastBounds!.Value, drifting, at, summary);
        }
        if (w.LastPrediction is { Severity: > AlertSeverity.None } prediction)
        {
            var summary = $"The predictions of {Model} v{w.Version} drifted from their training distribution ({Describe(prediction.Evidence!)})";
            Emit(ref alerts, w, DriftKind.PredictionDrift, prediction.Severity, prediction.Evidence!, w.LastBounds!.Value, [prediction], at, summary);
        }
        if (w.LastEstimate is { Severity: > AlertSeverity.None } estimate)
        {
            var summary = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The accuracy {Model} v{w.Version}'s own probabilities expect fell to {estimate.Accuracy:0.###} from {estimate.Limits.ReferenceAccuracy:0.###} on its held-out data (estimated without labels; below {estimate.Evidence().Threshold:0.###})");
            Emit(ref alerts, w, DriftKind.EstimatedPerformanceDrop, estimate.Severity, estimate.Evidence(), w.LastBounds!.Value, [], at, summary);
        }
        return alerts ?? (IReadOnlyList<DriftAlert>)NoAlerts;
    }

    private IReadOnlyList<DriftAlert> PerformanceAlert(Watched w, IDriftDetector detector, DateTimeOffset at)
    {
        var agreed = w.AdwinFlaggedAt is { } a && w.PageHinkleyFlaggedAt is { } p && Math.Abs(a - p) <= options.Alerts.DetectorAgreementLabels;
        var severity = agreed ? AlertSeverity.Critical : AlertSeverity.Warning;
        var evidence = new StatisticFinding(detector.Name, detector.LastStatistic, detector.LastThreshold, severity, detector.LastStatistic / detector.LastThreshold);
        var agreement = agreed ? "both ADWIN and Page-Hinkley" : detector.Name;
        var summary = $"The loss of {Model} v{w.Version} increased: {agreement} detected a change (loss estimate {detector.Estimation:0.###} after a rise of {detector.LastChange:0.###})";
        List<DriftAlert>? alerts = null;
        Emit(ref alerts, w, DriftKind.PerformanceDegradation, severity, evidence, w.Performance.Bounds(), [], at, summary);
        return alerts ?? (IReadOnlyList<DriftAlert>)NoAlerts;
    }

    private void Emit(ref List<DriftAlert>? alerts, Watched w, DriftKind kind, AlertSeverity severity, StatisticFinding evidence,
        WindowBounds window, IReadOnlyList<FeatureDrift> features, DateTimeOffset at, string summary, string? segment = null)
    {
        // A segment's alert is its own ongoing drift: keyed by the segment too, so another segment degrading is news.
        var key = AlertDeduplicator.KeyFor(Model, w.Version, kind) + (segment is null ? "" : $"/{w.Segments!.Column}={segment}");
        if (!deduplicator.TryRecord(key, severity, at)) return;
        var id = $"{key}@{window.EndOffset}/{severity.ToString().ToLowerInvariant()}";
        (alerts ??= []).Add(new DriftAlert(id, Model, w.Version, severity, kind, evidence, window, features, key, at, summary));
        counters = counters with { AlertsRaised = counters.AlertsRaised + 1 };
    }

    private static IReadOnlyList<FeatureDrift> Ranked(IReadOnlyList<FeatureDrift> features) =>
        features.OrderByDescending(f => f.Severity).ThenByDescending(f => f.Score).ToArray();

    /// <summary>For a categorical column, the categories whose share moved most: "; moved most: b 20% → 50%, a 50% → 20%".</summary>
    private static string MovedCategories(FeatureDrift drift) =>
        drift.IsCategorical
            ? "; moved most: " + string.Join(", ", drift.Categories.Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.Category} {c.ReferenceShare:0.#%} → {c.WindowShare:0.#%}")))
            : "";

    private static string Describe(StatisticFinding finding) =>
        finding.Statistic is DriftJudge.KsPValue or DriftJudge.ChiSquaredPValue or SegmentComparer.ErrorRatePValue
            ? $"{finding.Statistic} {finding.Value:G3} < {finding.Threshold:G3}"
            : $"{finding.Statistic} {finding.Value:0.###} ≥ {finding.Threshold:0.###}";

    /// <summary>The per-version part of the monitor.</summary>
    private sealed class Watched
    {
        public Watched(string model, int version, ModelTask task, ReferenceProfile profile, MonitoringOptions options, ModelSegment? segment, TaskScheduler calibrationScheduler)
        {
            Version = version;
            Task = task;
            Profile = profile;
            Features = profile.Features.Select(f => new ReferenceDistribution(f)).ToArray();
            var names = profile.Features.Select(f => f.Name).ToArray();
            Categories = (profile.Categorical ?? []).Select(c => new ReferenceCategories(c, names)).ToArray();
            var encoded = Categories.SelectMany(c => c.FeatureIndices).ToHashSet();
            NumericFeatures = Enumerable.Range(0, Features.Length).Where(f => !encoded.Contains(f)).ToArray();
            Prediction = new ReferenceDistribution(profile.Prediction);
            EstimatesAccuracy = task == ModelTask.BinaryClassification && options.Estimation.Enabled;
            // Calibration resamples every statistic a thousand times: 20–90 ms per feature on the 2-core machine, seconds for
            // the demo's 10 when the machine is loaded. Done here it held up the consumer for that long after each promotion
            // before a single prediction of the new version was looked at (docs/performance.md). It runs beside the first
            // window's filling instead; whatever needs a threshold first waits for it (the thresholds are the same either way).
            calibration = System.Threading.Tasks.Task.Factory.StartNew(() => Calibrated(options), CancellationToken.None, TaskCreationOptions.LongRunning, calibrationScheduler);
            AccuracyLimits = EstimatesAccuracy
                ? EstimatedAccuracyLimits.For(Prediction.SortedSample, options.Window.Size, PerTest(options), options.Estimation, options.Thresholds.Calibrate)
                : null;
            series = new Lazy<IReadOnlyList<DriftSeriesDefinition>>(() => SeriesDefinitions(options));
            Window = new PredictionWindow(options.Window.Size, Features.Length);
            Pending = new PendingPredictions(options.Labels.PendingCapacity, options.Labels.Expiry);
            Performance = new PerformanceWindow(options.Labels.PerformanceWindowSize);
            // The operator's override wins over the version's own (training policy) segment column; see SegmentDefinition.Resolve.
            var configured = options.Segments.GetValueOrDefault(model);
            var definition = SegmentDefinition.Resolve(configured, segment, Features, Categories, out var problem);
            if (definition is not null)
            {
                var settings = configured ?? new SegmentOptions { Column = definition.Column, MaxSegments = segment!.MaxSegments };
                Segments = new SegmentTracker(definition, settings, options, task, Features, NumericFeatures, Categories);
            }
            SegmentProblem = problem;
        }

        /// <summary>
        /// Thresholds calibrated on this version's reference (nulls when calibration is off): once per activation, and
        /// seeded by position so a replay judges with the same thresholds.
        /// </summary>
        private (FeatureThresholds?[], CategoricalThresholds?[], FeatureThresholds?) Calibrated(MonitoringOptions options)
        {
            var features = new FeatureThresholds?[Features.Length];
            var categories = new CategoricalThresholds?[Categories.Length];
            var t = options.Thresholds;
            if (!t.Calibrate) return (features, categories, null);
            var size = options.Window.Size;
            var perTest = PerTest(options);
            foreach (var f in NumericFeatures) features[f] = ThresholdCalibrator.Calibrate(Features[f], size, perTest, t, seed: f + 1);
            for (var c = 0; c < Categories.Length; c++)
            {
                categories[c] = ThresholdCalibrator.Calibrate(Categories[c], size, perTest, options.Categorical, t, seed: Features.Length + c + 1);
            }
            return (features, categories, ThresholdCalibrator.Calibrate(Prediction, size, perTest, t, seed: 0));
        }

        /// <summary>This version's tests' share of the false-alarm budget (the accuracy estimate is one of them when made).</summary>
        private double PerTest(MonitoringOptions options) =>
            FalseAlarmBudget.PerTest(options.Thresholds, NumericFeatures.Length, Categories.Length, EstimatesAccuracy);

        /// <summary>The series of drift history and the thresholds in force for each: the prediction, then every judged feature or column.</summary>
        private DriftSeriesDefinition[] SeriesDefinitions(MonitoringOptions options)
        {
            var fixedNumeric = FeatureThresholds.Fixed(options.Thresholds);
            var fixedCategorical = CategoricalThresholds.Fixed(options.Categorical);
            var series = new List<DriftSeriesDefinition>
            {
                new("", IsPrediction: true, Categorical: false, DriftSeriesThresholds.Of(PredictionLimits ?? fixedNumeric, PredictionLimits is not null)),
            };
            foreach (var f in NumericFeatures)
            {
                series.Add(new(Features[f].Name, false, false, DriftSeriesThresholds.Of(FeatureLimits[f] ?? fixedNumeric, FeatureLimits[f] is not null)));
            }
            for (var c = 0; c < Categories.Length; c++)
            {
                series.Add(new(Categories[c].Column, false, true, DriftSeriesThresholds.Of(CategoryLimits[c] ?? fixedCategorical, CategoryLimits[c] is not null)));
            }
            return series.ToArray();
        }

        public int Version { get; }
        public ModelTask Task { get; }
        /// <summary>The reference profile as training wrote it: its own bin edges are what an operator is shown.</summary>
        public ReferenceProfile Profile { get; }
        private readonly Lazy<IReadOnlyList<DriftSeriesDefinition>> series;
        private readonly Task<(FeatureThresholds?[] Features, CategoricalThresholds?[] Categories, FeatureThresholds? Prediction)> calibration;
        public IReadOnlyList<DriftSeriesDefinition> Series => series.Value;
        /// <summary>The calibrated thresholds, once calibration is done (waits for it until then).</summary>
        private (FeatureThresholds?[] Features, CategoricalThresholds?[] Categories, FeatureThresholds? Prediction) Limits => calibration.GetAwaiter().GetResult();
        /// <summary>Whether accuracy is estimated from the probabilities (a binary classifier, estimation on).</summary>
        public bool EstimatesAccuracy { get; }
        /// <summary>The reference accuracy estimate and alert limits; null when not estimated (or too few reference probabilities).</summary>
        public EstimatedAccuracyLimits? AccuracyLimits { get; }
        /// <summary>The latest window's estimate; null before one.</summary>
        public PerformanceEstimate? LastEstimate { get; set; }
        public ReferenceDistribution[] Features { get; }
        /// <summary>The positions of the features that are no categorical column's encoding.</summary>
        public int[] NumericFeatures { get; }
        public ReferenceCategories[] Categories { get; }
        public ReferenceDistribution Prediction { get; }
        /// <summary>Each feature's thresholds, by position (null: the fixed ones; categorical encodings are not judged alone).</summary>
        public FeatureThresholds?[] FeatureLimits => Limits.Features;
        /// <summary>Each categorical column's thresholds, in the order of <see cref="Categories"/>.</summary>
        public CategoricalThresholds?[] CategoryLimits => Limits.Categories;
        public FeatureThresholds? PredictionLimits => Limits.Prediction;
        public PredictionWindow Window { get; }
        public PendingPredictions Pending { get; }
        public PerformanceWindow Performance { get; }
        /// <summary>The segments watched; null when the version is not segmented (or its override's column is out of reach, see <see cref="SegmentProblem"/>).</summary>
        public SegmentTracker? Segments { get; }
        public string? SegmentProblem { get; }
        public DateTimeOffset Watermark { get; set; } = DateTimeOffset.MinValue;
        public int SinceEvaluation { get; set; }
        public long? AdwinFlaggedAt { get; set; }
        public long? PageHinkleyFlaggedAt { get; set; }
        public IReadOnlyList<FeatureDrift> LastFeatures { get; set; } = [];
        /// <summary>The features (or categorical columns) withheld from the latest evaluation.</summary>
        public IReadOnlyList<string> LastWithheld { get; set; } = [];
        public FeatureDrift? LastPrediction { get; set; }
        public WindowBounds? LastBounds { get; set; }
    }
}
