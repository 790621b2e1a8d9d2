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

    /// <summary>
    /// Whether a prediction that repeats its entity's latest one still in the window (same inputs, same output) is left
    /// out of the window. On, the window measures the population of inputs: a few entities re-scored while their
    /// features stand still would otherwise fill it with copies, which the thresholds (calibrated for independent draws)
    /// read as drift. Off, the window is the raw request stream (every prediction counts, as many times as it is asked).
    /// </summary>
    /// <value>The default value is true.</value>
    public bool SkipRepeatedInputs { get; set; } = true;

    /// <summary>
    /// Evaluated windows a monitor holds for drift history until the next checkpoint stores them; beyond, the oldest are
    /// dropped (and counted). 0 keeps no history (a benchmark that never stores it).
    /// </summary>
    /// <value>The default value is 1,000 (100,000 predictions of one model between two checkpoints at the default stride).</value>
    [Range(0, 1_000_000)]
    public int HistoryBuffer { get; set; } = 1_000;
}
