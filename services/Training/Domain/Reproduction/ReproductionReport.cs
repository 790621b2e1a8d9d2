namespace Cascade.Training.Domain.Reproduction;

/// <summary>
/// How a retrained version compares with the registered one: its model file, its trees, its predictions and metric on
/// the holdout, and every way the inputs of the retraining differed from those the lineage records.
/// </summary>
/// <param name="ModelFileIdentical">Whether the two <c>model.json</c> files are byte for byte the same.</param>
/// <param name="DifferingTrees">Trees (by position) that are not the same, counting trees only one of the models has.</param>
/// <param name="HoldoutRows">The holdout rows both models were scored on (the retraining's holdout, read again from the offline store).</param>
/// <param name="DifferingPredictions">Holdout outputs that are not bit-identical.</param>
/// <param name="MaxPredictionDifference">The largest |original − reproduced| over the holdout outputs.</param>
/// <param name="Metric">The metric the promotion gate judges the model's task on.</param>
/// <param name="TrainingRows">Training rows the retraining read; <paramref name="RecordedTrainingRows"/> what the lineage records.</param>
/// <param name="Causes">What differed in the inputs (rows, settings, overrides): why the result cannot be identical.</param>
/// <param name="Notes">What differs without necessarily changing the model (code and library versions).</param>
public sealed record ReproductionReport(
    bool ModelFileIdentical,
    string OriginalModelSha256,
    string ReproducedModelSha256,
    int Trees,
    int ReproducedTrees,
    int DifferingTrees,
    int HoldoutRows,
    int DifferingPredictions,
    double MaxPredictionDifference,
    string Metric,
    double OriginalMetric,
    double ReproducedMetric,
    int TrainingRows,
    long RecordedTrainingRows,
    IReadOnlyList<string> Causes,
    IReadOnlyList<string> Notes)
{
    /// <summary>The same trees and the same predictions: the version is reproduced exactly.</summary>
    public bool Identical => ModelFileIdentical && DifferingPredictions == 0;
}
