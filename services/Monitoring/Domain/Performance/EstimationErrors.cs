using Cascade.Monitoring.Domain.Statistics;

namespace Cascade.Monitoring.Domain.Performance;

/// <summary>
/// How far confidence-based estimates were from the truth once labels arrived: on the same labelled predictions, the
/// estimate their probabilities make minus the metric their labels realise.
/// </summary>
public static class EstimationErrors
{
    /// <summary><c>accuracy</c> and <c>auc</c> errors (estimated − realised) and <c>labelled</c>; empty when nothing is labelled.</summary>
    public static IReadOnlyDictionary<string, double> Of(IReadOnlyList<LabeledPrediction> labelled)
    {
        var errors = new Dictionary<string, double>(StringComparer.Ordinal);
        if (labelled.Count == 0) return errors;
        var probabilities = labelled.Select(l => l.Outputs[0]).ToArray();
        var scores = probabilities.Select(p => (double)p).ToArray();
        var labels = labelled.Select(l => l.Label).ToArray();
        errors["accuracy"] = ConfidenceBasedEstimate.Accuracy(probabilities) - ClassificationMetrics.Accuracy(scores, labels);
        var auc = ConfidenceBasedEstimate.RocAuc(probabilities) - ClassificationMetrics.RocAuc(scores, labels);
        if (!double.IsNaN(auc)) errors["auc"] = auc;
        errors["labelled"] = labelled.Count;
        return errors;
    }
}
