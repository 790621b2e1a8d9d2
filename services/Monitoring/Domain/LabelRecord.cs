namespace Cascade.Monitoring.Domain;

/// <summary>An observed outcome arriving after the prediction it belongs to (from <c>LabelObserved</c>).</summary>
/// <param name="Model">Model name.</param>
/// <param name="PredictionId">The prediction it belongs to, when known.</param>
/// <param name="EntityId">Otherwise the entity: the label joins the latest waiting prediction for it made at or before <paramref name="Time"/>.</param>
/// <param name="Time">Event time at which the outcome was observed.</param>
/// <param name="Label">0/1 for binary models, a class index for multiclass ones, the target for regression.</param>
public sealed record LabelRecord(string Model, string? PredictionId, string? EntityId, DateTimeOffset Time, double Label);
