using System.Text.Json;
using Cascade.Ml.Data;

namespace Cascade.Ml.Import;

/// <summary>Rows for golden samples when an import has no sample: deterministic (fixed seed), so a re-import checks the same rows.</summary>
internal static class GeneratedRows
{
    private const int Count = 28;
    private const int Seed = 20261206;

    /// <summary>
    /// Values at and just below the trees' own split thresholds (<c>value &lt; threshold</c> goes left, so the threshold
    /// goes right and the float just below it left): every row walks splits at their boundaries, where a float32
    /// rounding difference between the compiled evaluator and XGBoost would show.
    /// </summary>
    public static TabularData AroundSplits(string xgboostJson, IReadOnlyList<string> featureNames)
    {
        var thresholds = Thresholds(xgboostJson, featureNames.Count);
        var random = new Random(Seed);
        var values = new float[Count * featureNames.Count];
        for (var r = 0; r < Count; r++)
        {
            for (var f = 0; f < featureNames.Count; f++)
            {
                var candidates = thresholds[f];
                if (candidates.Count == 0)
                {
                    values[r * featureNames.Count + f] = Normal(random);
                    continue;
                }
                var threshold = candidates[random.Next(candidates.Count)];
                values[r * featureNames.Count + f] = random.Next(3) switch
                {
                    0 => threshold,
                    1 => MathF.BitDecrement(threshold),
                    _ => threshold + Normal(random) * MathF.Max(1f, MathF.Abs(threshold)),
                };
            }
        }
        return new TabularData(values, Count, featureNames);
    }

    /// <summary>Standard normal values: an ONNX graph states no ranges, and golden samples only need rows it computes on.</summary>
    public static TabularData Normal(IReadOnlyList<string> featureNames)
    {
        var random = new Random(Seed);
        var values = new float[Count * featureNames.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Normal(random);
        }
        return new TabularData(values, Count, featureNames);
    }

    private static List<float>[] Thresholds(string xgboostJson, int features)
    {
        var thresholds = Enumerable.Range(0, features).Select(_ => new List<float>()).ToArray();
        using var document = JsonDocument.Parse(xgboostJson);
        var trees = document.RootElement.GetProperty("learner").GetProperty("gradient_booster").GetProperty("model").GetProperty("trees");
        foreach (var tree in trees.EnumerateArray())
        {
            var left = tree.GetProperty("left_children").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var indices = tree.GetProperty("split_indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var conditions = tree.GetProperty("split_conditions").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            for (var n = 0; n < left.Length; n++)
            {
                if (left[n] != -1 && indices[n] >= 0 && indices[n] < features)
                {
                    thresholds[indices[n]].Add(conditions[n]);
                }
            }
        }
        return thresholds;
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static float Normal(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
