using System.Text.Json.Serialization;

namespace Cascade.Monitoring.Domain.Labels;

/// <summary>A prediction waiting for its label: what the join and the loss need, not the feature vector.</summary>
/// <param name="Segment">Its segment when the model is segmented (the labelled prediction keeps it for per-segment error
/// rates); null otherwise, and in checkpoints written before segments.</param>
public sealed record PendingPrediction(string PredictionId, string? EntityId, DateTimeOffset Time, long Offset, float[] Outputs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Segment = null);
