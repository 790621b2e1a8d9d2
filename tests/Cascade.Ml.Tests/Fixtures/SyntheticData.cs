using Cascade.Ml.Data;

namespace Cascade.Ml.Tests.Fixtures;

/// <summary>Small deterministic tables for tests that need a model but not a reference.</summary>
internal static class SyntheticData
{
    public static TabularData Binary(int rows, int seed = 1, double missingRate = 0.05)
    {
        var random = new Random(seed);
        const int columns = 5;
        var features = new float[rows * columns];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            double margin = 0;
            for (var c = 0; c < columns; c++)
            {
                var value = (float)(random.NextDouble() * 4 - 2);
                margin += (c % 2 == 0 ? 1 : -0.5) * value;
                features[r * columns + c] = random.NextDouble() < missingRate ? float.NaN : value;
            }
            labels[r] = margin + random.NextDouble() - 0.5 > 0 ? 1 : 0;
        }
        return new TabularData(features, rows, ["a", "b", "c", "d", "e"], labels);
    }

    public static string WriteCsv(TabularData data, string path, string label = "label")
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(',', data.FeatureNames) + "," + label);
        for (var r = 0; r < data.Rows; r++)
        {
            var cells = data.Row(r).ToArray().Select(v => float.IsNaN(v) ? string.Empty : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteLine(string.Join(',', cells) + "," + data.Labels![r].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return path;
    }
}
