using System.ComponentModel.DataAnnotations;

namespace Cascade.Registry.Options;

/// <summary>When a candidate version may replace the champion.</summary>
public sealed class PromotionGateOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Cascade:Registry:Gate";

    /// <summary>How much better than the champion a candidate must be on the same holdout, in the metric's units (AUC points, RMSE units…).</summary>
    /// <value>The default value is 0.005.</value>
    [Range(0, 1_000_000)]
    public double Margin { get; set; } = 0.005;

    /// <summary>The least AUC a first binary classifier needs to become champion.</summary>
    /// <value>The default value is 0.6: clearly better than chance.</value>
    [Range(0, 1)]
    public double BinaryAucFloor { get; set; } = 0.6;

    /// <summary>The least accuracy a first multiclass classifier needs.</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0, 1)]
    public double MulticlassAccuracyFloor { get; set; } = 0.5;

    /// <summary>The largest RMSE a first regression model may have; null accepts any finite RMSE.</summary>
    /// <value>The default value is null.</value>
    public double? RegressionRmseCeiling { get; set; }

    /// <summary>Whether a candidate that passes the floor but not the margin becomes the challenger (for canary and shadow runs).</summary>
    /// <value>The default value is true.</value>
    public bool ChallengerOnNearMiss { get; set; } = true;
}
