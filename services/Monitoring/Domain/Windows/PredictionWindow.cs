using Cascade.Monitoring.Domain.Alerts;

namespace Cascade.Monitoring.Domain.Windows;

/// <summary>
/// The last <c>capacity</c> predictions of one model version in a ring: feature values column by column, the first
/// output, stream offset and event time. Memory is fixed at creation; adding never allocates.
/// </summary>
/// <remarks>
/// A feature the prediction log withheld (computed from a sensitive column) is held as NaN and marked withheld. Once
/// one record withholds a feature, the values earlier records had for it are erased as well: a column that has just
/// become sensitive leaves no raw value in memory or in the checkpoint. While any record in the window withholds a
/// feature, <see cref="IsWithheld"/> says so and its drift is not measured.
/// </remarks>
public sealed class PredictionWindow
{
    private readonly float[][] columns;
    private readonly bool[][] withheld;
    private readonly int[] withheldCount;
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
        withheld = new bool[features][];
        withheldCount = new int[features];
        for (var f = 0; f < features; f++)
        {
            columns[f] = new float[capacity];
            withheld[f] = new bool[capacity];
        }
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

    /// <summary>
    /// Adds a record, evicting the oldest when full. Values that are not finite are stored as missing (NaN); the
    /// features at <paramref name="withheldFeatures"/> are stored as withheld, whatever value they carry.
    /// </summary>
    public void Add(ReadOnlySpan<float> features, float output, long offset, DateTimeOffset time, ReadOnlySpan<int> withheldFeatures = default)
    {
        if (features.Length != columns.Length)
        {
            throw new ArgumentException($"Expected {columns.Length} feature values, got {features.Length}.", nameof(features));
        }
        foreach (var f in withheldFeatures)
        {
            if ((uint)f >= (uint)columns.Length) throw new ArgumentOutOfRangeException(nameof(withheldFeatures), $"Withheld feature {f} is not one of the {columns.Length}.");
        }
        for (var f = 0; f < columns.Length; f++)
        {
            if (withheld[f][next])
            {
                withheld[f][next] = false; // the evicted record's mark leaves with it
                withheldCount[f]--;
            }
            columns[f][next] = Finite(features[f]);
        }
        outputs[next] = Finite(output);
        offsets[next] = offset;
        times[next] = time;
        var slot = next;
        next = (next + 1) % Capacity;
        if (Count < Capacity) Count++;
        foreach (var f in withheldFeatures)
        {
            if (withheld[f][slot]) continue; // listed twice
            columns[f][slot] = float.NaN;
            if (withheldCount[f] < Count - 1)
            {
                Erase(f); // earlier records still hold values of it (this one included, as withheld, by Erase)
                continue;
            }
            withheld[f][slot] = true;
            withheldCount[f]++;
        }
    }

    /// <summary>Whether a record in the window withheld the feature: its values are not known, so its drift is not measured.</summary>
    public bool IsWithheld(int feature) => withheldCount[feature] > 0;

    /// <summary>Erases every value the window holds of a feature that is withheld from now on, and marks them withheld.</summary>
    private void Erase(int feature)
    {
        var column = columns[feature];
        var marks = withheld[feature];
        for (var i = 0; i < Count; i++)
        {
            column[i] = float.NaN;
            if (!marks[i])
            {
                marks[i] = true;
                withheldCount[feature]++;
            }
        }
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
            List<int>? marked = null;
            for (var f = 0; f < columns.Length; f++)
            {
                features[f] = columns[f][slot];
                if (withheld[f][slot]) (marked ??= []).Add(f);
            }
            records[i] = new WindowRecordState(offsets[slot], times[slot], features, outputs[slot], marked?.ToArray());
        }
        return records;
    }

    /// <summary>Empties the window.</summary>
    public void Clear()
    {
        Count = 0;
        next = 0;
        foreach (var marks in withheld) Array.Clear(marks);
        Array.Clear(withheldCount);
    }

    // Infinite inputs would make the sample distances infinite or undefined; counted as missing, they still move the
    // PSI and Jensen-Shannon missing bin, so a feature that starts overflowing is noticed.
    private static float Finite(float value) => float.IsFinite(value) ? value : float.NaN;
}
