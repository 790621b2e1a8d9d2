namespace Cascade.Monitoring.Domain.Alerts;

/// <summary>What drifted; the numbers match <c>cascade.events.v1.DriftKind</c>.</summary>
public enum DriftKind
{
    /// <summary>Input features moved away from the training distribution (covariate shift).</summary>
    FeatureDrift = 1,
    /// <summary>The model's output distribution moved away from the one on the training data.</summary>
    PredictionDrift = 2,
    /// <summary>The loss on labelled predictions increased (concept drift).</summary>
    PerformanceDegradation = 3,
    /// <summary>The accuracy the model's own probabilities expect fell (confidence-based estimate, no labels needed).</summary>
    EstimatedPerformanceDrop = 5,
    /// <summary>One segment of the traffic (a category or bin of the segmenting column) moved from its baseline while the whole did not.</summary>
    SegmentDegraded = 6,
}
