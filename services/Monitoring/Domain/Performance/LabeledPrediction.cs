namespace Cascade.Monitoring.Domain.Performance;

/// <summary>A prediction joined with its label.</summary>
public sealed record LabeledPrediction(long Offset, DateTimeOffset Time, float[] Outputs, double Label);
