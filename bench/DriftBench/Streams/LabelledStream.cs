using Cascade.Bench.Drift.Generators;

namespace Cascade.Bench.Drift.Streams;

/// <summary>
/// A generated stream held in memory (row-major float features, int classes), so that every detector sees exactly the
/// same instances and generation stays out of the timings.
/// </summary>
public sealed class LabelledStream
{
    private readonly float[] features;
    private readonly int[] labels;

    private LabelledStream(string name, StreamSchema schema, DriftSchedule schedule, float[] features, int[] labels)
    {
        Name = name;
        Schema = schema;
        Schedule = schedule;
        this.features = features;
        this.labels = labels;
    }

    public string Name { get; }

    public StreamSchema Schema { get; }

    public DriftSchedule Schedule { get; }

    public int Length => labels.Length;

    public ReadOnlySpan<float> Row(int t) => features.AsSpan(t * Schema.Width, Schema.Width);

    /// <summary>The same row as memory, for records that keep a reference to it (no copy).</summary>
    public ReadOnlyMemory<float> RowMemory(int t) => features.AsMemory(t * Schema.Width, Schema.Width);

    public int Label(int t) => labels[t];

    /// <summary>Draws the stream; the same spec and seed always give the same instances.</summary>
    public static LabelledStream Generate(StreamSpec spec, ulong seed)
    {
        var generator = spec.Generator(seed);
        var schedule = spec.Schedule;
        var width = generator.Schema.Width;
        var features = new float[(long)schedule.Length * width];
        var labels = new int[schedule.Length];
        var random = new StreamRandom(seed);
        for (var t = 0; t < schedule.Length; t++)
        {
            var segment = schedule.SegmentAt(t, random);
            labels[t] = generator.Next(segment, random, features.AsSpan(t * width, width));
        }
        return new LabelledStream(spec.Name, generator.Schema, schedule, features, labels);
    }
}
