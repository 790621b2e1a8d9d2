namespace Cascade.Monitoring.Domain.Windows;

/// <summary>One record of a <see cref="PredictionWindow"/> in a checkpoint.</summary>
public sealed record WindowRecordState(long Offset, DateTimeOffset Time, float[] Features, float Output);
