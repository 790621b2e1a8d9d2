namespace Cascade.Monitoring.Domain.Labels;

/// <summary>A prediction waiting for its label: what the join and the loss need, not the feature vector.</summary>
public sealed record PendingPrediction(string PredictionId, string? EntityId, DateTimeOffset Time, long Offset, float[] Outputs);
