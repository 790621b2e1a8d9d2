namespace Cascade.Ml.Data;

/// <summary>A dense table of float32 features (row-major, NaN = missing) with optional labels and weights.</summary>
public sealed class TabularData
{
    public TabularData(float[] features, int rows, IReadOnlyList<string> featureNames, float[]? labels = null, float[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(featureNames);
        if (featureNames.Count == 0)
        {
            throw new ArgumentException("A table needs at least one feature column.", nameof(featureNames));
        }
        if (rows < 0 || (long)rows * featureNames.Count != features.Length)
        {
            throw new ArgumentException($"{features.Length} feature values do not make {rows} rows of {featureNames.Count} features.", nameof(features));
        }
        if (labels is not null && labels.Length != rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {rows} rows.", nameof(labels));
        }
        if (weights is not null && weights.Length != rows)
        {
            throw new ArgumentException($"{weights.Length} weights for {rows} rows.", nameof(weights));
        }
        if (featureNames.Distinct(StringComparer.Ordinal).Count() != featureNames.Count)
        {
            throw new ArgumentException("Feature names must be unique.", nameof(featureNames));
        }
        Features = features;
        Rows = rows;
        FeatureNames = featureNames;
        Labels = labels;
        Weights = weights;
    }

    /// <summary>Row-major feature values.</summary>
    public float[] Features { get; }

    public int Rows { get; }

    public int Columns => FeatureNames.Count;

    public IReadOnlyList<string> FeatureNames { get; }

    public float[]? Labels { get; }

    public float[]? Weights { get; }

    /// <summary>One row's features.</summary>
    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * Columns, Columns);

    /// <summary>The rows at the given indices, in that order, as a new table.</summary>
    public TabularData Select(IReadOnlyList<int> indices)
    {
        var features = new float[indices.Count * Columns];
        var labels = Labels is null ? null : new float[indices.Count];
        var weights = Weights is null ? null : new float[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            Row(indices[i]).CopyTo(features.AsSpan(i * Columns, Columns));
            if (labels is not null) labels[i] = Labels![indices[i]];
            if (weights is not null) weights[i] = Weights![indices[i]];
        }
        return new TabularData(features, indices.Count, FeatureNames, labels, weights);
    }
}
