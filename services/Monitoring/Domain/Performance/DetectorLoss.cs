using Cascade.Monitoring.Domain.Statistics;

namespace Cascade.Monitoring.Domain.Performance;

/// <summary>
/// The per-example loss the streaming detectors watch, always in [0, 1]: ADWIN's cut bound assumes values in [0, 1],
/// and Page–Hinkley's δ and λ are in the values' units, so one set of detector settings must fit every model.
/// </summary>
/// <remarks>
/// Classifiers: the Brier score, (p − y)² for binary models and ½·Σₖ(pₖ − 1[k = y])² for multiclass ones. It is a proper
/// scoring rule like log loss (it rewards calibrated probabilities) but bounded, so one confidently wrong example cannot
/// dominate the detectors. Regression: |ŷ − y| / (scale·σ), clipped to 1, with σ the standard deviation of the model's
/// predictions on the training data (the reference profile's; 1 when that is 0), since the label scale is not profiled.
/// </remarks>
public static class DetectorLoss
{
    /// <summary>The loss of one labelled prediction.</summary>
    public static double For(ModelTask task, ReadOnlySpan<float> outputs, double label, double referencePredictionStd, double regressionErrorScale)
    {
        switch (task)
        {
            case ModelTask.BinaryClassification:
            {
                var error = Math.Clamp(outputs[0], 0.0, 1.0) - (ClassificationMetrics.IsPositive(label) ? 1.0 : 0.0);
                return error * error;
            }
            case ModelTask.MulticlassClassification:
            {
                var index = (int)Math.Round(label);
                var sum = 0.0;
                for (var k = 0; k < outputs.Length; k++)
                {
                    var error = Math.Clamp(outputs[k], 0.0, 1.0) - (k == index ? 1.0 : 0.0);
                    sum += error * error;
                }
                return Math.Min(1, 0.5 * sum);
            }
            case ModelTask.Regression:
            {
                var scale = regressionErrorScale * (referencePredictionStd > 0 ? referencePredictionStd : 1);
                var loss = Math.Abs(outputs[0] - label) / scale;
                return double.IsNaN(loss) ? 1 : Math.Min(1, loss);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(task), task, null);
        }
    }
}
