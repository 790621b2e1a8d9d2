using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>
/// Performance estimated without labels (confidence-based, CBPE) for binary classifiers: the accuracy the model's own
/// probabilities expect on each window, alerting when it falls below the reference's by more than both its calibrated
/// no-drift spread and the floor below.
/// </summary>
public sealed class PerformanceEstimationOptions
{
    /// <summary>Whether binary classifiers' accuracy is estimated and can alert (it counts as one test of the false-alarm budget).</summary>
    /// <value>The default value is true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The smallest fall of the estimated accuracy below the reference's that alerts at WARNING, whatever the calibration allows.</summary>
    /// <value>The default value is 0.03 (three points of accuracy).</value>
    [Range(0, 1)]
    public double AccuracyDropWarning { get; set; } = 0.03;

    /// <summary>The smallest fall that alerts at CRITICAL.</summary>
    /// <value>The default value is 0.08.</value>
    [Range(0, 1)]
    public double AccuracyDropCritical { get; set; } = 0.08;
}
