using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Detectors;

namespace Cascade.Monitoring.Domain;

/// <summary>A snapshot of one model's monitoring, for <c>GetModelHealth</c> and the console.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Version">The version watched; null before any promotion was seen.</param>
/// <param name="Task">Its task, when a version is watched.</param>
/// <param name="Counters">Records seen, ignored, joined; evaluations; alerts.</param>
/// <param name="WindowCount">Predictions in the drift window now.</param>
/// <param name="WindowCapacity">Predictions the drift window holds when full.</param>
/// <param name="LastEvaluation">The window of the latest evaluation; null before the window first filled.</param>
/// <param name="Features">Every feature's statistics at the latest evaluation, strongest drift first.</param>
/// <param name="Prediction">The prediction's statistics at the latest evaluation.</param>
/// <param name="Performance">Metrics over the labelled predictions of the performance window.</param>
/// <param name="PerformanceCount">Labelled predictions those metrics rest on.</param>
/// <param name="PendingLabels">Predictions waiting for labels.</param>
/// <param name="PendingDropped">Predictions dropped unlabelled (expired or over capacity).</param>
/// <param name="Detectors">ADWIN and Page–Hinkley on the loss.</param>
public sealed record ModelHealth(
    string Model,
    int? Version,
    ModelTask? Task,
    MonitorCounters Counters,
    int WindowCount,
    int WindowCapacity,
    WindowBounds? LastEvaluation,
    IReadOnlyList<FeatureDrift> Features,
    FeatureDrift? Prediction,
    IReadOnlyDictionary<string, double> Performance,
    int PerformanceCount,
    int PendingLabels,
    long PendingDropped,
    IReadOnlyList<DetectorState> Detectors)
{
    /// <summary>
    /// The watched version has no reference profile (imported without a sample): predictions are counted, drift is not
    /// measured. Monitoring reports "no reference" for it rather than failing.
    /// </summary>
    public bool NoReferenceProfile { get; init; }

    /// <summary>
    /// Features (and categorical columns) whose drift the latest evaluation did not measure because the prediction log
    /// withholds them: they come from sensitive dataset columns.
    /// </summary>
    public IReadOnlyList<string> WithheldFeatures { get; init; } = [];

    /// <summary>
    /// Performance estimated without labels on the latest drift window (binary classifiers): <c>accuracy</c>,
    /// <c>auc</c> and <c>reference_accuracy</c> (what the held-out data expects); empty when not estimated.
    /// </summary>
    public IReadOnlyDictionary<string, double> EstimatedPerformance { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// Once labels join, the estimate's error on the labelled predictions of the performance window: the estimate made
    /// from their probabilities minus the metric their labels realise (<c>accuracy</c>, <c>auc</c>), and <c>labelled</c>
    /// (how many). Near zero while the probabilities stay calibrated (covariate shift); far from it under concept shift.
    /// </summary>
    public IReadOnlyDictionary<string, double> EstimationError { get; init; } = new Dictionary<string, double>();

    /// <summary>Per segment of the segmenting column, positive rate and error rate against the whole's; null when the model is not segmented.</summary>
    public Segments.FairnessSummary? Fairness { get; init; }

    /// <summary>
    /// Why a model whose operator override names a segment column is watched without segments (the column is neither an
    /// input of this version nor its training policy's segment column); null otherwise.
    /// </summary>
    public string? SegmentProblem { get; init; }
}
