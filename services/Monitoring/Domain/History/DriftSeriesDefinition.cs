namespace Cascade.Monitoring.Domain.History;

/// <summary>One series of a version's drift history: what it measures and the thresholds in force for it.</summary>
/// <param name="Feature">The feature or categorical column; empty for the prediction.</param>
public sealed record DriftSeriesDefinition(string Feature, bool IsPrediction, bool Categorical, DriftSeriesThresholds Thresholds);
