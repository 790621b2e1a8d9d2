using System.Text.Json.Serialization;

namespace Cascade.Monitoring.Domain.Performance;

/// <summary>A prediction joined with its label.</summary>
/// <param name="Segment">Its segment when the model is segmented; null otherwise, and in checkpoints written before segments.</param>
public sealed record LabeledPrediction(long Offset, DateTimeOffset Time, float[] Outputs, double Label,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Segment = null);
