using Cascade.Contracts.Training.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Training.Domain;

/// <summary>
/// Turns a policy's <c>monitoring</c> block into what the version's manifest records (<see cref="ModelMonitoring"/>):
/// bins as given, or a bin count cut at the training rows' quantiles of the column (which must then be a model input:
/// the rows hold no other column). The block was checked against the dataset when the policy was put; what can only
/// be known with the rows (the column among the inputs) is checked here.
/// </summary>
public static class SegmentResolution
{
    /// <summary>The manifest's monitoring block for <paramref name="policy"/>; null when it names no segment column.</summary>
    /// <exception cref="ArgumentException">A bin count for a column that is not a numeric input of the model.</exception>
    public static ModelMonitoring? For(TrainingPolicySpec policy, TabularData train, IReadOnlyList<CategoricalColumn> categoricals)
    {
        if (policy.Monitoring?.Segment is not { Column.Length: > 0 } segment) return null;
        var maxSegments = segment.MaxSegments > 0 ? segment.MaxSegments : ModelSegment.DefaultMaxSegments;
        if (segment.Bins.Count == 0 && segment.BinCount == 0)
        {
            return new ModelMonitoring { Segment = new ModelSegment { Column = segment.Column, Kind = ModelSegment.Categorical, MaxSegments = maxSegments } };
        }
        var bins = segment.Bins.Count > 0 ? segment.Bins.ToArray() : QuantileEdges(train, NumericInput(segment.Column, train, categoricals), segment.BinCount);
        return new ModelMonitoring { Segment = new ModelSegment { Column = segment.Column, Kind = ModelSegment.Numeric, Bins = bins, MaxSegments = maxSegments } };
    }

    /// <summary>
    /// The inner edges that cut the column's finite training values into <paramref name="count"/> groups of about equal
    /// size: the values at ranks n·i/count. Ties merge groups (a column of few distinct values gets fewer), and an edge at
    /// the smallest value is left out (it would open an empty first group).
    /// </summary>
    public static double[] QuantileEdges(TabularData train, int feature, int count)
    {
        var values = new List<double>(train.Rows);
        for (var r = 0; r < train.Rows; r++)
        {
            var value = train.Features[r * train.Columns + feature];
            if (float.IsFinite(value)) values.Add(value);
        }
        if (values.Count == 0) return [];
        values.Sort();
        var edges = new List<double>(count - 1);
        for (var i = 1; i < count; i++)
        {
            var edge = values[(int)((long)values.Count * i / count)];
            if (edge > values[0] && (edges.Count == 0 || edge > edges[^1])) edges.Add(edge);
        }
        return edges.ToArray();
    }

    private static int NumericInput(string column, TabularData train, IReadOnlyList<CategoricalColumn> categoricals)
    {
        var feature = categoricals.Any(c => c.Column == column) ? -1 : train.FeatureNames.ToList().IndexOf(column);
        return feature >= 0 ? feature : throw new ArgumentException(
            $"monitoring.segment.bin_count needs '{column}' among the model's numeric inputs to cut its training values into quantiles; the model reads {string.Join(", ", train.FeatureNames)}. Give monitoring.segment.bins instead.");
    }
}
