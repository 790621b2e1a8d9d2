using Cascade.Monitoring.Domain.Windows;

namespace Cascade.Monitoring.Domain.Segments;

/// <summary>
/// One segment's predictions: its baseline, the first <c>size</c> of them after the version was activated (the training
/// profile holds no distribution per segment, so a segment is compared with itself as it was first served), then a
/// sliding window of its latest <c>size</c>, evaluated against the baseline every <c>stride</c> once full.
/// </summary>
public sealed class SegmentWindow(int size, int features, int stride)
{
    /// <summary>The segment's first predictions; frozen once full.</summary>
    public PredictionWindow Baseline { get; } = new(size, features);

    /// <summary>The segment's latest predictions after the baseline.</summary>
    public PredictionWindow Window { get; } = new(size, features);

    /// <summary>Predictions added to <see cref="Window"/> since its last evaluation.</summary>
    public int SinceEvaluation { get; private set; }

    /// <summary>Adds a prediction of the segment; true when the window is due for evaluation (and the count restarts).</summary>
    public bool Add(ReadOnlySpan<float> values, float output, long offset, DateTimeOffset time, ReadOnlySpan<int> withheld)
    {
        if (!Baseline.IsFull)
        {
            Baseline.Add(values, output, offset, time, withheld);
            return false;
        }
        Window.Add(values, output, offset, time, withheld);
        if (!Window.IsFull || ++SinceEvaluation < stride) return false;
        SinceEvaluation = 0;
        return true;
    }

    /// <summary>The state to checkpoint.</summary>
    public SegmentWindowState Export(string segment, Alerts.AlertSeverity drift) => new(segment, Baseline.Export(), Window.Export(), SinceEvaluation, drift);

    /// <summary>Resumes from a checkpoint of this segment.</summary>
    public void Import(SegmentWindowState state)
    {
        Baseline.Clear();
        Window.Clear();
        foreach (var r in state.Baseline) Baseline.Add(r.Features, r.Output, r.Offset, r.Time, r.Withheld);
        foreach (var r in state.Window) Window.Add(r.Features, r.Output, r.Offset, r.Time, r.Withheld);
        SinceEvaluation = state.SinceEvaluation;
    }
}
