using System.Globalization;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Serving.Domain;

/// <summary>
/// How a served version names the segment of each prediction (its manifest's <c>monitoring.segment</c>): read out of
/// the inputs when the column is one (a numeric feature's bin, a categorical column's decoded value), else taken from
/// the request (<c>PredictRequest.segment</c>, the OIP parameter <c>segment</c>). Built once per loaded version; a
/// version without a segment column has none, so its predictions pay nothing for segments. Immutable.
/// </summary>
public sealed class SegmentSource
{
    private readonly ModelSegment definition;
    private readonly int feature = -1;
    private readonly CategoricalColumn? categorical;
    private readonly int[] encoded = [];

    private SegmentSource(ModelSegment definition, IReadOnlyList<string> featureNames, IReadOnlyList<CategoricalColumn> categoricals)
    {
        this.definition = definition;
        categorical = categoricals.FirstOrDefault(c => c.Column == definition.Column);
        if (categorical is not null)
        {
            encoded = categorical.FeatureNames.Select(name => featureNames.ToList().IndexOf(name)).ToArray();
            if (encoded.Any(i => i < 0)) (categorical, encoded) = (null, []); // an encoding the model does not read whole
        }
        if (categorical is null) feature = featureNames.ToList().IndexOf(definition.Column);
    }

    /// <summary>The version's segment source; null when its manifest names no segment column.</summary>
    public static SegmentSource? For(ModelManifest manifest) =>
        manifest.Monitoring?.Segment is { } segment ? new SegmentSource(segment, manifest.FeatureNames, manifest.Categorical ?? []) : null;

    /// <summary>The segment column.</summary>
    public string Column => definition.Column;

    /// <summary>Whether the column is an input, so the features give its value (and a value in the request is ignored).</summary>
    public bool IsInput => feature >= 0 || categorical is not null;

    /// <summary>
    /// The segment of a prediction with <paramref name="features"/>, or of the value the request gave
    /// (<paramref name="given"/>) when the column is no input: the value itself for a categorical column, its bin for a
    /// numeric one. Null when the column is no input and the request gave nothing. Allocates nothing: bin names and
    /// vocabulary values are the definition's own strings, a given value is the request's.
    /// </summary>
    /// <exception cref="ArgumentException">A given value longer than <see cref="ModelSegment.MaxLabelLength"/>, or not a number for a numeric column.</exception>
    public string? LabelOf(ReadOnlySpan<float> features, string? given)
    {
        if (categorical is not null)
        {
            Span<float> values = stackalloc float[encoded.Length];
            for (var i = 0; i < encoded.Length; i++) values[i] = features[encoded[i]];
            var code = categorical.Decode<float>(values);
            return code < 0 ? ModelSegment.Missing : categorical.Vocabulary[code];
        }
        if (feature >= 0) return definition.IsNumeric ? definition.LabelOf(features[feature]) : Flag(features[feature]);
        if (string.IsNullOrEmpty(given)) return null;
        if (given.Length > ModelSegment.MaxLabelLength)
        {
            throw new ArgumentException($"segment is {given.Length} characters; give the value of column '{Column}' in at most {ModelSegment.MaxLabelLength}.");
        }
        if (!definition.IsNumeric) return given;
        return double.TryParse(given, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? definition.LabelOf(number)
            : throw new ArgumentException($"segment '{given}' is not a number; column '{Column}' is numeric: send its value (e.g. 42.5).");
    }

    /// <summary>A categorical column read as a number (a BOOL passthrough): 1 true, 0 false.</summary>
    private static string Flag(float value) => value switch
    {
        1 => "true",
        0 => "false",
        _ when float.IsNaN(value) => ModelSegment.Missing,
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
