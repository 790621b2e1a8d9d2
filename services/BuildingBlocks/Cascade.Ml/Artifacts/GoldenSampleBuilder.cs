using Cascade.Ml.Data;

namespace Cascade.Ml.Artifacts;

/// <summary>Chooses the rows golden samples are made of and records a model's outputs for them.</summary>
internal static class GoldenSampleBuilder
{
    private const int Rows = 28;
    private const int RowsWithMissing = 4;

    /// <summary>
    /// Up to 28 rows spread evenly through <paramref name="data"/>, then (with <paramref name="withMissing"/>) up to 4 copies
    /// of its first rows with every other feature missing, which sends every split on those features down its default child.
    /// </summary>
    public static TabularData ChooseRows(TabularData data, bool withMissing = true)
    {
        var rows = Math.Min(Rows, data.Rows);
        var missing = withMissing ? Math.Min(RowsWithMissing, data.Rows) : 0;
        var inputs = new float[(rows + missing) * data.Columns];
        for (var r = 0; r < rows; r++)
        {
            data.Row(r * data.Rows / rows).CopyTo(inputs.AsSpan(r * data.Columns));
        }
        for (var m = 0; m < missing; m++)
        {
            var target = inputs.AsSpan((rows + m) * data.Columns, data.Columns);
            data.Row(m).CopyTo(target);
            for (var c = m % 2; c < data.Columns; c += 2)
            {
                target[c] = float.NaN;
            }
        }
        return new TabularData(inputs, rows + missing, data.FeatureNames);
    }

    /// <summary>One golden sample per row of <paramref name="rows"/>, with the outputs (row-major) the reference engine gave.</summary>
    public static List<GoldenSample> Record(TabularData rows, ReadOnlySpan<float> outputs, int outputsPerRow)
    {
        var samples = new List<GoldenSample>(rows.Rows);
        for (var r = 0; r < rows.Rows; r++)
        {
            var output = outputs.Slice(r * outputsPerRow, outputsPerRow).ToArray();
            samples.Add(new GoldenSample
            {
                Features = rows.Row(r).ToArray().Select(v => float.IsNaN(v) ? (float?)null : v).ToArray(),
                Outputs = output,
                OutputBits = output.Select(BitConverter.SingleToUInt32Bits).ToArray(),
            });
        }
        return samples;
    }
}
