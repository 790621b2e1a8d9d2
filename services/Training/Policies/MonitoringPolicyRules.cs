using System.Globalization;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Artifacts;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Training.Policies;

/// <summary>
/// Checks a training policy's <c>monitoring</c> block against its dataset's schema when the policy is put: the segment
/// column must be one of the dataset's columns and not dropped from prediction logs; a STRING or BOOL column takes no
/// bins, a numeric one needs bins (finite, strictly increasing) or a bin count; a bin count needs the column among the
/// model's inputs (the training rows hold no other column to take quantiles of). Each refusal names the field and what
/// to give instead.
/// </summary>
public static class MonitoringPolicyRules
{
    /// <summary>The most groups a policy may ask Monitoring to watch apart.</summary>
    public const int MaxSegmentsLimit = 100;

    /// <summary>Whether the policy asks for segments.</summary>
    public static bool AsksForSegments(TrainingPolicySpec spec) => spec.Monitoring?.Segment is not null;

    /// <summary>
    /// Refuses a segment definition that cannot work with <paramref name="schema"/> (the policy's dataset) and, when the
    /// view has materialized, <paramref name="materialized"/> (the model's inputs).
    /// </summary>
    /// <exception cref="ArgumentException">What is wrong, naming the field (<c>monitoring.segment.…</c>) and what to give instead.</exception>
    public static void Check(SegmentPolicy segment, DatasetRegistered schema, FeaturesMaterialized? materialized)
    {
        if (string.IsNullOrWhiteSpace(segment.Column))
        {
            throw new ArgumentException("monitoring.segment.column is required: name the dataset column whose groups Monitoring watches apart (e.g. region).");
        }
        var maxSegments = segment.MaxSegments == 0 ? ModelSegment.DefaultMaxSegments : segment.MaxSegments;
        if (maxSegments is < 2 or > MaxSegmentsLimit)
        {
            throw new ArgumentException($"monitoring.segment.max_segments is {segment.MaxSegments}; give 2 to {MaxSegmentsLimit} (0 = {ModelSegment.DefaultMaxSegments}).");
        }
        var column = schema.Columns.FirstOrDefault(c => string.Equals(c.Name, segment.Column, StringComparison.Ordinal))
            ?? throw new ArgumentException($"monitoring.segment.column '{segment.Column}' is not a column of dataset '{schema.Dataset}'; its columns: {string.Join(", ", schema.Columns.Select(c => c.Name))}.");
        if (column.Privacy == ColumnPrivacy.Drop)
        {
            throw new ArgumentException($"monitoring.segment.column '{column.Name}' is sensitive with privacy DROP: its values never leave Serving, so predictions cannot be grouped by it. "
                + "Set its privacy to HASH to watch its groups under keyed-hash labels, or choose another column.");
        }
        if (column.Type is ValueType.String or ValueType.Bool)
        {
            if (segment.Bins.Count > 0 || segment.BinCount != 0)
            {
                throw new ArgumentException($"monitoring.segment.bins and bin_count apply to a numeric column; '{column.Name}' is {Name(column.Type)} (one group per value): leave them empty.");
            }
            return;
        }
        if (column.Type is not (ValueType.Float64 or ValueType.Int64))
        {
            throw new ArgumentException($"monitoring.segment.column '{column.Name}' has no usable type ({Name(column.Type)}); choose a STRING, BOOL, FLOAT64 or INT64 column.");
        }
        if (segment.Bins.Count > 0 && segment.BinCount != 0)
        {
            throw new ArgumentException("monitoring.segment: give bins or bin_count, not both.");
        }
        if (segment.Bins.Count == 0 && segment.BinCount == 0)
        {
            throw new ArgumentException($"monitoring.segment: column '{column.Name}' is {Name(column.Type)}: give bins (inner edges, e.g. [30, 50]) or bin_count (groups of about equal size, for a model input).");
        }
        if (segment.Bins.Count > 0)
        {
            var definition = new ModelSegment { Column = column.Name, Kind = ModelSegment.Numeric, Bins = segment.Bins.ToArray(), MaxSegments = maxSegments };
            if (definition.Problem() is { } problem)
            {
                throw new ArgumentException($"monitoring.segment.bins [{string.Join(", ", segment.Bins.Select(b => b.ToString(CultureInfo.InvariantCulture)))}]: {problem}.");
            }
            return;
        }
        if (segment.BinCount < 2 || segment.BinCount > maxSegments)
        {
            throw new ArgumentException($"monitoring.segment.bin_count is {segment.BinCount}; give 2 to max_segments ({maxSegments}).");
        }
        if (materialized is not null && !materialized.FeatureNames.Contains(column.Name))
        {
            throw new ArgumentException($"monitoring.segment.bin_count needs '{column.Name}' among the model's inputs to cut its training values into quantiles, and view '{materialized.FeatureView}' "
                + $"computes {string.Join(", ", materialized.FeatureNames)}: give monitoring.segment.bins instead.");
        }
    }

    private static string Name(ValueType type) => type.ToString().ToUpperInvariant();
}
