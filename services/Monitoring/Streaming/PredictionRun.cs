using Cascade.Monitoring.Domain;

namespace Cascade.Monitoring.Streaming;

/// <summary>
/// Consecutive predictions of one model gathered from a consumed batch, to be observed under one lock of its monitor.
/// Their vectors are copied into buffers reused from one run to the next, so a run allocates nothing once the buffers
/// have grown to the largest run. Not thread-safe: one per consumer.
/// </summary>
internal sealed class PredictionRun
{
    private PredictionRecord[] records = new PredictionRecord[256];
    private float[] floats = new float[4096];
    private int[] ints = new int[256];
    private int floatsUsed, intsUsed;

    /// <summary>The model of the predictions gathered; null while the run is empty.</summary>
    public string? Model { get; private set; }

    /// <summary>The predictions gathered, in stream order (their vectors valid until <see cref="Clear"/>).</summary>
    public ReadOnlySpan<PredictionRecord> Records => records.AsSpan(0, Count);

    /// <summary>Predictions gathered.</summary>
    public int Count { get; private set; }

    /// <summary>Whether <paramref name="prediction"/> continues this run (same model, or the run is empty).</summary>
    public bool Continues(in PredictionRecord prediction) => Count == 0 || string.Equals(prediction.Model, Model, StringComparison.Ordinal);

    /// <summary>Adds a prediction of the run's model, copying its vectors (it may borrow the reader's buffers).</summary>
    public void Add(in PredictionRecord prediction)
    {
        if (!Continues(prediction)) throw new InvalidOperationException($"A run of '{Model}' cannot take a prediction of '{prediction.Model}'.");
        if (Count == records.Length) Array.Resize(ref records, records.Length * 2);
        records[Count++] = prediction with
        {
            Features = Copy(prediction.Features.Span, ref floats, ref floatsUsed),
            Outputs = Copy(prediction.Outputs.Span, ref floats, ref floatsUsed),
            Withheld = Copy(prediction.Withheld.Span, ref ints, ref intsUsed),
        };
        Model = prediction.Model;
    }

    /// <summary>Empties the run, keeping its buffers.</summary>
    public void Clear()
    {
        // The strings the records hold are released now rather than when the slots are next written.
        Array.Clear(records, 0, Count);
        Count = 0;
        floatsUsed = intsUsed = 0;
        Model = null;
    }

    /// <summary>Appends <paramref name="values"/> to <paramref name="buffer"/>; a buffer outgrown is replaced, the records
    /// already gathered keep the old one.</summary>
    private static ReadOnlyMemory<T> Copy<T>(ReadOnlySpan<T> values, ref T[] buffer, ref int used)
    {
        if (values.IsEmpty) return ReadOnlyMemory<T>.Empty;
        if (buffer.Length - used < values.Length)
        {
            buffer = new T[Math.Max(buffer.Length * 2, values.Length)];
            used = 0;
        }
        values.CopyTo(buffer.AsSpan(used));
        var copy = buffer.AsMemory(used, values.Length);
        used += values.Length;
        return copy;
    }
}
