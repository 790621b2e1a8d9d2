using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Evaluation;
using Cascade.Monitoring.Domain.Performance;
using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Domain.Windows;
using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Segments;

/// <summary>
/// The segments of one watched version: each prediction's segment, a baseline and window per segment evaluated by the
/// <see cref="SegmentComparer"/>, each classifier segment's errors against its baseline's, and the fairness summary.
/// Memory is bounded by the definition's capacity (at most <see cref="SegmentOptions.MaxSegments"/> + 1, or a numeric
/// column's bins + 2, and for logged segments both) × 2 windows.
/// </summary>
public sealed class SegmentTracker
{
    private readonly SegmentDefinition definition;
    private readonly ModelTask task;
    private readonly SegmentWindow[] windows;
    private readonly SegmentErrors[] errors;
    private readonly SegmentErrors overall;
    private readonly AlertSeverity[] latest;
    private readonly SegmentComparer comparer;
    private readonly IReadOnlyList<ReferenceDistribution> features;
    private readonly int[] numeric;
    private readonly ReferenceCategories[] columns;
    private readonly double alpha;

    public SegmentTracker(SegmentDefinition definition, SegmentOptions segment, MonitoringOptions options, ModelTask task, IReadOnlyList<ReferenceDistribution> features,
        IReadOnlyList<int> numericFeatures, IReadOnlyList<ReferenceCategories> categories)
    {
        this.definition = definition;
        this.task = task;
        this.features = features;
        // The segmenting column is left out of its segments' tests: within a segment it is constant or held to a bin.
        numeric = numericFeatures.Where(f => !definition.ColumnFeatures.Contains(f)).ToArray();
        columns = categories.Where(c => !string.Equals(c.Column, definition.Column, StringComparison.Ordinal)).ToArray();
        windows = Enumerable.Range(0, definition.Capacity).Select(_ => new SegmentWindow(segment.WindowSize, features.Count, segment.EvaluationStride)).ToArray();
        errors = Enumerable.Range(0, definition.Capacity).Select(_ => new SegmentErrors(segment.WindowSize, segment.EvaluationStride)).ToArray();
        // The whole's errors, to tell a segment's rise from everyone's. Its latest window is as long as a segment's, so it
        // spans no more time than any segment's: a rise everyone shares shows in the whole at least as soon.
        overall = new SegmentErrors(segment.WindowSize, 1);
        latest = new AlertSeverity[windows.Length];
        comparer = new SegmentComparer(options.Thresholds, options.Categorical);
        var tests = numeric.Length + 1 + columns.Length + (IsClassifier ? 1 : 0);
        alpha = comparer.Alpha(tests, windows.Length);
    }

    private bool IsClassifier => task != ModelTask.Regression;

    /// <summary>The segmenting column.</summary>
    public string Column => definition.Column;

    /// <summary>Whether segments come from the log's <c>segment</c> field (the window keeps each record's, for the fairness summary).</summary>
    public bool FromLog => definition.FromLog;

    /// <summary>
    /// The segment of a prediction: the one Serving logged (<paramref name="logged"/>) when segments come from the log,
    /// else read from its features; <see cref="SegmentDefinition.Unknown"/> when it has none or its column is withheld.
    /// </summary>
    public int SegmentOf(ReadOnlySpan<float> values, ReadOnlySpan<int> withheld, string? logged) =>
        definition.FromLog ? definition.OfLabel(logged) : definition.Of(values, withheld);

    /// <summary>The name of segment <paramref name="segment"/>; null for <see cref="SegmentDefinition.Unknown"/>.</summary>
    public string? NameOf(int segment) => segment == SegmentDefinition.Unknown ? null : definition.Names[segment];

    /// <summary>Adds a prediction to its segment; the segment's verdict when its window was due for evaluation, else null.</summary>
    public SegmentVerdict? Add(int segment, ReadOnlySpan<float> values, float output, long offset, DateTimeOffset time, ReadOnlySpan<int> withheld)
    {
        if (segment == SegmentDefinition.Unknown) return null;
        if (!windows[segment].Add(values, output, offset, time, withheld)) return null;
        var verdict = comparer.Compare(definition.Names[segment], windows[segment], features, numeric, columns, alpha);
        latest[segment] = verdict.Severity;
        return verdict;
    }

    /// <summary>
    /// Counts a classifier's labelled prediction in its segment and in the whole; the segment's verdict when its latest
    /// labels were due for their test against its baseline's error rate, else null (and always for regression).
    /// </summary>
    public SegmentVerdict? AddLabel(LabeledPrediction labelled)
    {
        if (!IsClassifier) return null;
        var wrong = IsWrong(labelled, task);
        overall.Add(wrong);
        if (labelled.Segment is not { } name || definition.IndexOf(name) is not (>= 0 and var segment) || !errors[segment].Add(wrong)) return null;
        var evidence = comparer.ErrorRise(errors[segment], alpha);
        var window = new WindowBounds(labelled.Offset, labelled.Offset, errors[segment].RecentLabelled, labelled.Time, labelled.Time);
        return new SegmentVerdict(name, evidence.Severity, evidence, [], window);
    }

    /// <summary>Whether the whole's error rate has not risen from its baseline's (or cannot be told yet), at a segment's test level.</summary>
    public bool WholeErrorsSteady() =>
        !IsClassifier || overall.RecentLabelled == 0 || comparer.ErrorRise(overall, alpha).Severity == AlertSeverity.None;

    /// <summary>A segment's error rates: (baseline, latest), NaN before it has any.</summary>
    public (double Baseline, double Latest) ErrorRates(string segment)
    {
        var e = errors[definition.IndexOf(segment)];
        return (e.BaselineLabelled == 0 ? double.NaN : (double)e.BaselineWrong / e.BaselineLabelled, e.RecentLabelled == 0 ? double.NaN : (double)e.RecentWrong / e.RecentLabelled);
    }

    /// <summary>
    /// Per segment and overall: predictions and positive rate in <paramref name="window"/> (the drift window), labelled
    /// predictions and error rate in <paramref name="performance"/>.
    /// </summary>
    public FairnessSummary Summary(PredictionWindow window, PerformanceWindow performance, ModelTask task)
    {
        var names = definition.Names;
        var outputs = new List<float>[names.Count];
        var labelled = new List<LabeledPrediction>[names.Count];
        for (var s = 0; s < names.Count; s++)
        {
            outputs[s] = [];
            labelled[s] = [];
        }
        var unsegmented = 0;
        Span<float> row = stackalloc float[window.Features];
        var rowOutputs = window.Outputs;
        for (var r = 0; r < window.Count; r++)
        {
            // Logged segments are kept with each record. Otherwise the window stores withheld values as NaN and marks them:
            // a withheld column leaves the record unsegmented.
            int segment;
            if (definition.FromLog)
            {
                segment = definition.Find(window.SegmentAt(r));
            }
            else if (IsColumnWithheld(window, r))
            {
                segment = SegmentDefinition.Unknown;
            }
            else
            {
                for (var f = 0; f < row.Length; f++) row[f] = window.Column(f)[r];
                segment = definition.Of(row, default);
            }
            if (segment == SegmentDefinition.Unknown) unsegmented++;
            else outputs[segment].Add(rowOutputs[r]);
        }
        var joined = performance.Export();
        foreach (var l in joined)
        {
            if (l.Segment is { } name && definition.IndexOf(name) is >= 0 and var s) labelled[s].Add(l);
        }
        var segments = Enumerable.Range(0, names.Count)
            .Where(s => outputs[s].Count > 0 || labelled[s].Count > 0)
            .Select(s => Figures(names[s], outputs[s], labelled[s], task, latest[s]))
            .ToArray();
        var overall = Figures("overall", window.Outputs.ToArray(), joined, task, AlertSeverity.None);
        return new FairnessSummary(definition.Column, segments, overall, unsegmented);
    }

    /// <summary>The segments' windows and errors, for checkpoints (with the logged segments' names in the order they came).</summary>
    public SegmentsState Export() => new(
        definition.Names.Select((name, s) => windows[s].Export(name, latest[s]) with { Errors = errors[s].Export() })
            .Where(s => s.Baseline.Count > 0 || s.Errors!.BaselineLabelled > 0).ToArray(),
        overall.Export())
    {
        Logged = definition.FromLog ? definition.Names.ToArray() : null,
    };

    /// <summary>Resumes from a checkpoint; segments it does not name (another definition) start empty.</summary>
    public void Import(SegmentsState? state)
    {
        if (state is null) return;
        definition.Restore(state.Logged);
        foreach (var segment in state.Segments)
        {
            if (definition.IndexOf(segment.Segment) is not (>= 0 and var s)) continue;
            windows[s].Import(segment);
            latest[s] = segment.Drift;
            if (segment.Errors is { } e) errors[s].Import(e);
        }
        overall.Import(state.Overall);
    }

    private static bool IsWrong(LabeledPrediction labelled, ModelTask task)
    {
        var predicted = task == ModelTask.BinaryClassification ? (labelled.Outputs[0] >= 0.5f ? 1 : 0) : ArgMax(labelled.Outputs);
        var actual = task == ModelTask.BinaryClassification ? (ClassificationMetrics.IsPositive(labelled.Label) ? 1 : 0) : (int)Math.Round(labelled.Label);
        return predicted != actual;
    }

    private bool IsColumnWithheld(PredictionWindow window, int row)
    {
        foreach (var f in definition.ColumnFeatures)
        {
            if (window.IsWithheldAt(f, row)) return true;
        }
        return false;
    }

    private static SegmentSummary Figures(string name, IReadOnlyList<float> outputs, IReadOnlyList<LabeledPrediction> labelled, ModelTask task, AlertSeverity drift)
    {
        var present = outputs.Where(float.IsFinite).ToArray();
        var positiveRate = task == ModelTask.BinaryClassification && present.Length > 0 ? present.Count(p => p >= 0.5f) / (double)present.Length : double.NaN;
        var mean = present.Length > 0 ? present.Average(p => (double)p) : double.NaN;
        return new SegmentSummary(name, outputs.Count, positiveRate, mean, labelled.Count, ErrorRate(labelled, task), drift);
    }

    /// <summary>The share of labelled predictions whose class is wrong (counted, not 1 − accuracy, so a hand count matches exactly).</summary>
    private static double ErrorRate(IReadOnlyList<LabeledPrediction> labelled, ModelTask task) =>
        labelled.Count == 0 || task == ModelTask.Regression ? double.NaN : labelled.Count(l => IsWrong(l, task)) / (double)labelled.Count;

    private static int ArgMax(float[] outputs)
    {
        var best = 0;
        for (var i = 1; i < outputs.Length; i++)
        {
            if (outputs[i] > outputs[best]) best = i;
        }
        return best;
    }
}
