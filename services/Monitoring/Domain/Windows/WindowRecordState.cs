using System.Text.Json.Serialization;

namespace Cascade.Monitoring.Domain.Windows;

/// <summary>One record of a <see cref="PredictionWindow"/> in a checkpoint.</summary>
/// <param name="Withheld">The positions of its withheld features (NaN in <paramref name="Features"/>); null when none.</param>
public sealed record WindowRecordState(long Offset, DateTimeOffset Time, float[] Features, float Output,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[]? Withheld = null);
