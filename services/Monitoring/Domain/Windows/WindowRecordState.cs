using System.Text.Json.Serialization;

namespace Cascade.Monitoring.Domain.Windows;

/// <summary>One record of a <see cref="PredictionWindow"/> in a checkpoint.</summary>
/// <param name="Withheld">The positions of its withheld features (NaN in <paramref name="Features"/>); null when none.</param>
/// <param name="EntityId">The entity predicted for, which repeats are recognised by; null when unknown (and in checkpoints
/// written before repeats were recognised).</param>
/// <param name="Segment">The segment Serving logged with it, kept when the model's segments come from the log; null otherwise.</param>
public sealed record WindowRecordState(long Offset, DateTimeOffset Time, float[] Features, float Output,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[]? Withheld = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EntityId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Segment = null);
