using Cascade.Monitoring.Domain.Alerts;

namespace Cascade.Monitoring.Domain.Windows;

/// <summary>
/// The last <c>capacity</c> predictions of one model version in a ring: feature values column by column, the first
/// output, stream offset, event time and entity. Memory is bounded by the capacity: the columns are allocated at creation,
/// and the index of each entity's latest record holds at most one entry per record.
/// </summary>
/// <remarks>
/// <para>
/// The window measures the population of inputs, not the traffic: a prediction for an entity whose inputs are identical
/// to that entity's latest record still in the window is a repeat (<see cref="IsRepeat"/>) and the monitor does not add
/// it. Scoring the same unchanged entities again and again (a load that re-predicts a fixed set of entities, online
/// features that stopped updating) would otherwise fill the window with a few hundred distinct vectors each counted many
/// times, which tests built for independent draws read as drift. The entity of each record is kept with it, so this
/// memory is bounded by the capacity and follows evictions.
/// </para>
/// <para>
/// A feature the prediction log withheld (computed from a sensitive column) is held as NaN and marked withheld. Once
/// one record withholds a feature, the values earlier records had for it are erased as well: a column that has just
/// become sensitive leaves no raw value in memory or in the checkpoint. While any record in the window withholds a
/// feature, <see cref="IsWithheld"/> says so and its drift is not measured.
/// </para>
/// </remarks>
public sealed class PredictionWindow
{
    private readonly float[][] columns;
    private readonly bool[][] withheld;
    private readonly int[] withheldCount;
    private readonly float[] outputs;
    private readonly long[] offsets;
    private readonly DateTimeOffset[] times;
    private readonly string?[] entities;
    private readonly string?[] segments;
    private readonly Dictionary<string, int> latestSlotOfEntity = new(StringComparer.Ordinal);
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
        entities = new string?[capacity];
        segments = new string?[capacity];
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
    /// <paramref name="entity"/> (null or empty when unknown) is remembered for <see cref="IsRepeat"/>; <paramref name="segment"/>
    /// (the segment Serving logged, when the model's segments come from the log) is kept for <see cref="SegmentAt"/>.
    /// </summary>
    public void Add(ReadOnlySpan<float> features, float output, long offset, DateTimeOffset time, ReadOnlySpan<int> withheldFeatures = default, string? entity = null,
        string? segment = null)
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
        segments[next] = string.IsNullOrEmpty(segment) ? null : segment;
        Remember(entity, next);
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

    /// <summary>
    /// Whether a record for <paramref name="entity"/> with these inputs and output would repeat that entity's latest
    /// record in the window: every feature equal (missing and withheld values count as equal to each other, as they are
    /// stored) and the same output. Always false for an unknown entity or one with no record in the window.
    /// </summary>
    public bool IsRepeat(string? entity, ReadOnlySpan<float> features, float output, ReadOnlySpan<int> withheldFeatures = default)
    {
        if (string.IsNullOrEmpty(entity) || !latestSlotOfEntity.TryGetValue(entity, out var slot)) return false;
        if (features.Length != columns.Length || !Same(outputs[slot], Finite(output))) return false;
        for (var f = 0; f < columns.Length; f++)
        {
            var value = withheldFeatures.Contains(f) ? float.NaN : Finite(features[f]);
            if (!Same(columns[f][slot], value)) return false;
        }
        return true;
    }

    /// <summary>The logged segment of the record at <paramref name="row"/> (ring order, as <see cref="Column"/>); null when it had none.</summary>
    public string? SegmentAt(int row) => segments[row];

    /// <summary>Whether a record in the window withheld the feature: its values are not known, so its drift is not measured.</summary>
    public bool IsWithheld(int feature) => withheldCount[feature] > 0;

    /// <summary>Whether the record at <paramref name="row"/> (ring order, as <see cref="Column"/>) withheld the feature.</summary>
    public bool IsWithheldAt(int feature, int row) => withheld[feature][row];

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
            records[i] = new WindowRecordState(offsets[slot], times[slot], features, outputs[slot], marked?.ToArray(), entities[slot], segments[slot]);
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
        Array.Clear(entities);
        Array.Clear(segments);
        latestSlotOfEntity.Clear();
    }

    /// <summary>Makes <paramref name="slot"/> hold <paramref name="entity"/>'s latest record, forgetting the entity of the record it evicts.</summary>
    private void Remember(string? entity, int slot)
    {
        if (entities[slot] is { } evicted && latestSlotOfEntity.TryGetValue(evicted, out var latest) && latest == slot)
        {
            latestSlotOfEntity.Remove(evicted); // its latest record leaves the window; an older one cannot still be in it
        }
        entities[slot] = string.IsNullOrEmpty(entity) ? null : entity;
        if (entities[slot] is { } kept) latestSlotOfEntity[kept] = slot;
    }

    private static bool Same(float stored, float value) => stored == value || (float.IsNaN(stored) && float.IsNaN(value));

    // Infinite inputs would make the sample distances infinite or undefined; counted as missing, they still move the
    // PSI and Jensen-Shannon missing bin, so a feature that starts overflowing is noticed.
    private static float Finite(float value) => float.IsFinite(value) ? value : float.NaN;
}
