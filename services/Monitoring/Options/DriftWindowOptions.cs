using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>The window of recent predictions that drift is measured on.</summary>
public sealed class DriftWindowOptions
{
    /// <summary>Predictions in the sliding window. Sampling noise of every statistic shrinks like 1/√size, and the default
    /// thresholds in <see cref="DriftThresholdOptions"/> are calibrated for this size: lower it and raise them.</summary>
    /// <value>The default value is 500.</value>
    [Range(50, 1_000_000)]
    public int Size { get; set; } = 500;

    /// <summary>Predictions between two evaluations once the window is full; equal to <see cref="Size"/> gives tumbling windows.</summary>
    /// <value>The default value is 100.</value>
    [Range(1, 1_000_000)]
    public int EvaluationStride { get; set; } = 100;

    /// <summary>Features listed, strongest drift first, in an alert's evidence.</summary>
    /// <value>The default value is 5.</value>
    [Range(1, 1_000)]
    public int TopFeatures { get; set; } = 5;
}
