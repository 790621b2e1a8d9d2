using Cascade.Ml.Data;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Ml.Artifacts;

/// <summary>Builds <see cref="ReferenceProfile"/>s from training data and the model's outputs on it.</summary>
public static class ReferenceProfiler
{
    private const int Bins = 10;
    private const int SampleSize = 1000;

    /// <summary>
    /// Profiles every feature and the first output; with <paramref name="categoricals"/>, also how often each category
    /// of those columns occurs, read back from the encoded features.
    /// </summary>
    public static ReferenceProfile Build(TabularData data, ReadOnlySpan<float> predictions, int outputsPerRow, IReadOnlyList<CategoricalColumn>? categoricals = null)
    {
        var features = new DistributionProfile[data.Columns];
        var column = new float[data.Rows];
        for (var c = 0; c < data.Columns; c++)
        {
            for (var r = 0; r < data.Rows; r++)
            {
                column[r] = data.Features[r * data.Columns + c];
            }
            features[c] = Profile(data.FeatureNames[c], column);
        }
        // The predictions may come from other rows than the features (held-out rows: see ArtifactWriter).
        var first = new float[predictions.Length / outputsPerRow];
        for (var r = 0; r < first.Length; r++)
        {
            first[r] = predictions[r * outputsPerRow];
        }
        return new ReferenceProfile
        {
            Features = features,
            Prediction = Profile("prediction", first),
            Categorical = categoricals is { Count: > 0 } ? categoricals.Select(c => Categories(data, c)).ToArray() : null,
        };
    }

    /// <summary>The category counts of one column; rows whose features stand for no category count as missing/unseen.</summary>
    public static CategoricalProfile Categories(TabularData data, CategoricalColumn column)
    {
        var positions = data.FeatureNames.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index, StringComparer.Ordinal);
        var indices = column.FeatureNames.Select(name => positions.GetValueOrDefault(name, -1)).ToArray();
        if (indices.Any(i => i < 0))
        {
            throw new ArgumentException($"Categorical column '{column.Column}' is encoded as {string.Join(", ", column.FeatureNames)}, which the data lacks.");
        }
        var counts = new long[column.Vocabulary.Count];
        long missing = 0;
        var encoded = new float[column.Width];
        for (var r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (var i = 0; i < indices.Length; i++) encoded[i] = row[indices[i]];
            var code = column.Decode<float>(encoded);
            if (code < 0) missing++;
            else counts[code]++;
        }
        return new CategoricalProfile { Encoding = column, Counts = counts, MissingCount = missing };
    }

    /// <summary>Profiles one variable; NaN counts as missing.</summary>
    public static DistributionProfile Profile(string name, ReadOnlySpan<float> values)
    {
        var present = new List<float>(values.Length);
        foreach (var value in values)
        {
            if (!float.IsNaN(value)) present.Add(value);
        }
        var sorted = present.ToArray();
        Array.Sort(sorted);
        var edges = new List<double>();
        if (sorted.Length > 0)
        {
            for (var b = 1; b < Bins; b++)
            {
                double edge = sorted[(int)((long)b * (sorted.Length - 1) / Bins)];
                if (edges.Count == 0 || edge > edges[^1]) edges.Add(edge);
            }
        }
        var counts = new long[edges.Count + 1];
        double sum = 0, sumSquares = 0;
        foreach (var value in present)
        {
            counts[BinOf(edges, value)]++;
            sum += value;
            sumSquares += (double)value * value;
        }
        var n = present.Count;
        var mean = n > 0 ? sum / n : double.NaN;
        var variance = n > 1 ? Math.Max(0, (sumSquares - n * mean * mean) / (n - 1)) : 0;
        var sample = new List<float>(Math.Min(SampleSize, n));
        for (var i = 0; i < Math.Min(SampleSize, n); i++)
        {
            sample.Add(present[(int)((long)i * n / Math.Min(SampleSize, n))]);
        }
        return new DistributionProfile
        {
            Name = name,
            Count = values.Length,
            MissingCount = values.Length - n,
            BinEdges = edges,
            BinCounts = counts,
            Mean = mean,
            Std = Math.Sqrt(variance),
            Min = n > 0 ? sorted[0] : double.NaN,
            Max = n > 0 ? sorted[^1] : double.NaN,
            Sample = sample,
        };
    }

    /// <summary>The bin a value falls in, for the given inner edges.</summary>
    public static int BinOf(IReadOnlyList<double> edges, double value)
    {
        var low = 0;
        var high = edges.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (value < edges[middle]) high = middle; else low = middle + 1;
        }
        return low;
    }
}
