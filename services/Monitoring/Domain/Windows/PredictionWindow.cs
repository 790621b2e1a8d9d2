using Cascade.Monitoring.Domain.Alerts;

namespace Cascade.Monitoring.Domain.Windows;

/// <summary>
/// The last <c>capacity</c> predictions of one model version in a ring: feature values column by column, the first
/// output, stream offset and event time. Memory is fixed at creation; adding never allocates.
/// </summary>
public sealed class PredictionWindow
{
    private readonly float[][] columns;
    private readonly float[] outputs;
    private readonly long[] offsets;
    private readonly DateTimeOffset[] times;
    private int next;

    /// <summary>Creates an empty window for vectors of <paramref name="features"/> values.</summary>
    public PredictionWindow(int capacity, int features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(features);
        Capacity = capacity;
        columns = new float[features][];
        for (var f = 0; f < features; f++) columns[f] = new float[capacity];
        outputs = new float[capacity];
        offsets = new long[capacity];
        times = new DateTimeOffset[capacity];
    }

    /// <summary>Records held at most.</summary>
    public int Capacity { get; }

    /// <summary>Records held now.</summary>
    public int Count { get; private set; }

    /// <summary>Features per record.</summary>
    public int Features => columns.Length;

    /// <summary>Whether the window holds <see cref="Capacity"/> records.</summary>
    public bool IsFull => Count == Capacity;

    /// <summary>Adds a record, evicting the oldest when full. Values that are not finite are stored as missing (NaN).</summary>
    public void Add(ReadOnlySpan<float> features, float output, long offset, DateTimeOffset time)
    {
        if (features.Length != columns.Length)
        {
            throw new ArgumentException($"Expected {columns.Length} feature values, got {features.Length}.", nameof(features));
        }
        for (var f = 0; f < columns.Length; f++) columns[f][next] = Finite(features[f]);
        outputs[next] = Finite(output);
        offsets[next] = offset;
        times[next] = time;
        next = (next + 1) % Capacity;
        if (Count < Capacity) Count++;
    }

    /// <summary>One feature's values in the window (in ring order, which the statistics do not depend on).</summary>
    public ReadOnlySpan<float> Column(int feature) => columns[feature].AsSpan(0, Count);

    /// <summary>The first outputs in the window (ring order).</summary>
    public ReadOnlySpan<float> Outputs => outputs.AsSpan(0, Count);

    /// <summary>The offsets and times of the oldest and newest record.</summary>
    public WindowBounds Bounds()
    {
        if (Count == 0) return default;
        var oldest = Count < Capacity ? 0 : next;
        var newest = (next - 1 + Capacity) % Capacity;
        return new WindowBounds(offsets[oldest], offsets[newest], Count, times[oldest], times[newest]);
    }

    /// <summary>The records oldest first, for checkpoints.</summary>
    public IReadOnlyList<WindowRecordState> Export()
    {
        var records = new WindowRecordState[Count];
        var oldest = Count < Capacity ? 0 : next;
        for (var i = 0; i < Count; i++)
        {
            var slot = (oldest + i) % Capacity;
            var features = new float[columns.Length];
            for (var f = 0; f < columns.Length; f++) features[f] = columns[f][slot];
            records[i] = new WindowRecordState(offsets[slot], times[slot], features, outputs[slot]);
        }
        return records;
    }

    /// <summary>Empties the window.</summary>
    public void Clear()
    {
        Count = 0;
        next = 0;
    }

    // Infinite inputs would make the sample distances infinite or undefined; counted as missing, they still move the
    // PSI and Jensen-Shannon missing bin, so a feature that starts overflowing is noticed.
    private static float Finite(float value) => float.IsFinite(value) ? value : float.NaN;
}
