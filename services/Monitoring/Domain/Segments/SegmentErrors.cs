namespace Cascade.Monitoring.Domain.Segments;

/// <summary>
/// One segment's classification errors on labelled predictions: its baseline (the first <c>size</c> labels after the
/// version was activated), then its latest <c>size</c>, tested for a rise against the baseline every <c>stride</c>.
/// </summary>
public sealed class SegmentErrors(int size, int stride)
{
    private readonly bool[] recent = new bool[size];
    private int next;

    /// <summary>Labelled predictions in the baseline, and how many of them were wrong.</summary>
    public int BaselineLabelled { get; private set; }

    public int BaselineWrong { get; private set; }

    /// <summary>Labelled predictions in the latest window (up to <c>size</c>), and how many of them were wrong.</summary>
    public int RecentLabelled { get; private set; }

    public int RecentWrong { get; private set; }

    /// <summary>Labels added to the latest window since its last test.</summary>
    public int SinceEvaluation { get; private set; }

    /// <summary>Adds a labelled prediction; true when the latest window is due for its test (and the count restarts).</summary>
    public bool Add(bool wrong)
    {
        if (BaselineLabelled < size)
        {
            BaselineLabelled++;
            if (wrong) BaselineWrong++;
            return false;
        }
        if (RecentLabelled == size && recent[next]) RecentWrong--; // the oldest leaves
        recent[next] = wrong;
        next = (next + 1) % size;
        if (RecentLabelled < size) RecentLabelled++;
        if (wrong) RecentWrong++;
        if (RecentLabelled < size || ++SinceEvaluation < stride) return false;
        SinceEvaluation = 0;
        return true;
    }

    /// <summary>The state to checkpoint.</summary>
    public SegmentErrorsState Export()
    {
        var outcomes = new bool[RecentLabelled];
        var oldest = RecentLabelled < size ? 0 : next;
        for (var i = 0; i < outcomes.Length; i++) outcomes[i] = recent[(oldest + i) % size];
        return new SegmentErrorsState(BaselineLabelled, BaselineWrong, outcomes, SinceEvaluation);
    }

    /// <summary>Resumes from a checkpoint.</summary>
    public void Import(SegmentErrorsState state)
    {
        (BaselineLabelled, BaselineWrong, RecentLabelled, RecentWrong, next) = (state.BaselineLabelled, state.BaselineWrong, 0, 0, 0);
        foreach (var wrong in state.Recent.TakeLast(size))
        {
            recent[next] = wrong;
            next = (next + 1) % size;
            RecentLabelled++;
            if (wrong) RecentWrong++;
        }
        SinceEvaluation = state.SinceEvaluation;
    }
}
