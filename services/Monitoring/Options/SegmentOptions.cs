using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>
/// An operator's override of how one model's predictions are split into segments (a dataset column: its categories, or
/// bins of a numeric one), each watched for drift on its own and summarised for fairness in <c>GetModelHealth</c>.
/// Keyed by model name under <c>Cascade:Monitoring:Drift:Segments</c>. Where a model's training policy names a segment
/// column (<c>monitoring.segment</c>), this wins: to watch another input column without retraining, or to tune the
/// windows (naming the policy's own column keeps the policy's groups, which Serving logs).
/// </summary>
public sealed class SegmentOptions
{
    /// <summary>
    /// The column that segments the predictions: a model input, numeric (split by <see cref="Bins"/>) or categorical
    /// (one segment per category), or the training policy's segment column (read from the predictions' logged segment,
    /// with the policy's bins). Any other column is not on the predictions topic: the version is then watched without
    /// segments, and its health says why.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Column { get; set; } = "";

    /// <summary>
    /// Inner edges of a numeric input's segments, strictly increasing: [30, 50] makes "&lt; 30", "[30, 50)" and
    /// "≥ 50" (and "(missing)"). Empty: the reference profile's deciles. Ignored for a categorical column, and for the
    /// policy's column when it is no input (Serving bins it as the policy says).
    /// </summary>
    /// <value>The default value is empty.</value>
    public List<double> Bins { get; set; } = [];

    /// <summary>
    /// Segments watched at most: the most frequent categories of the training data get one each, the rest (and missing
    /// or unseen values) share <c>other</c>. Bounds memory and the number of tests the false-alarm budget is split over.
    /// </summary>
    /// <value>The default value is 10.</value>
    [Range(2, 100)]
    public int MaxSegments { get; set; } = 10;

    /// <summary>
    /// Predictions per segment window. A segment's first window after a version is activated becomes its baseline; later
    /// windows are compared with it (a segment has no reference of its own in the training profile).
    /// </summary>
    /// <value>The default value is 250.</value>
    [Range(50, 100_000)]
    public int WindowSize { get; set; } = 250;

    /// <summary>A segment's predictions between two of its evaluations once its window is full.</summary>
    /// <value>The default value is 50.</value>
    [Range(1, 100_000)]
    public int EvaluationStride { get; set; } = 50;

    /// <summary>The rules that span fields (data annotations check each field alone).</summary>
    public IEnumerable<string> CrossFieldRules()
    {
        for (var i = 0; i < Bins.Count; i++)
        {
            if (!double.IsFinite(Bins[i]) || (i > 0 && Bins[i] <= Bins[i - 1]))
            {
                yield return "bins must be finite and strictly increasing.";
                yield break;
            }
        }
        if (Bins.Count + 2 > MaxSegments + 1) yield return $"{Bins.Count} bins make {Bins.Count + 2} segments (with missing), more than MaxSegments ({MaxSegments}) + other.";
        if (EvaluationStride > WindowSize) yield return "the evaluation stride cannot exceed the window size.";
    }
}
