using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>How late labels are joined to predictions and how performance is measured.</summary>
public sealed class LabelJoinOptions
{
    /// <summary>Predictions kept waiting for their label; beyond it the oldest is dropped. Bounds memory whatever the label rate.</summary>
    /// <value>The default value is 100,000.</value>
    [Range(1, 100_000_000)]
    public int PendingCapacity { get; set; } = 100_000;

    /// <summary>How long (in event time) a prediction waits for its label before it is dropped.</summary>
    /// <value>The default value is 1 day.</value>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Labelled predictions the performance metrics (log loss, accuracy, AUC; RMSE, MAE) are computed over.</summary>
    /// <value>The default value is 1,000.</value>
    [Range(10, 10_000_000)]
    public int PerformanceWindowSize { get; set; } = 1_000;

    /// <summary>For regression models, the detectors see |error| / (scale · σ of the reference predictions), clipped to 1:
    /// ADWIN's bound and Page–Hinkley's δ and λ assume values in [0, 1], while raw errors carry the target's units.</summary>
    /// <value>The default value is 3.</value>
    [Range(1e-6, 1e6)]
    public double RegressionErrorScale { get; set; } = 3;
}
