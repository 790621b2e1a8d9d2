using Cascade.Ml.Data;

namespace Cascade.Ml.Tests.MlNet;

/// <summary>
/// Deterministic tables for the ML.NET engine's tests (no other test uses them): six features with an interaction and
/// a threshold effect, so trees need depth, and a few missing cells, so the conversion's routing of NaN is exercised.
/// </summary>
internal static class MlNetTables
{
    public static readonly string[] Names = ["x0", "x1", "x2", "x3", "x4", "x5"];

    /// <summary>Labels 0/1 from a noisy nonlinear score.</summary>
    public static TabularData Binary(int rows, int seed) => Make(rows, seed, (s, random) => s + Noise(random) > 0 ? 1f : 0f);

    /// <summary>A real-valued target around the same score.</summary>
    public static TabularData Regression(int rows, int seed) => Make(rows, seed, (s, random) => (float)(3 * s + 0.3 * Noise(random)));

    /// <summary>Three classes cut from the score.</summary>
    public static TabularData ThreeClasses(int rows, int seed) => Make(rows, seed, (s, random) => (s + 0.5 * Noise(random)) switch
    {
        < -0.4 => 0f,
        < 0.5 => 1f,
        _ => 2f,
    });

    private static TabularData Make(int rows, int seed, Func<double, Random, float> label)
    {
        var random = new Random(seed);
        var features = new float[rows * Names.Length];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var x = new double[Names.Length];
            for (var c = 0; c < x.Length; c++) x[c] = random.NextDouble() * 4 - 2;
            var score = 0.8 * x[0] - 0.6 * x[1] + (x[2] > 0.5 ? 0.9 : -0.3) + 0.5 * x[3] * x[4] + 0.1 * x[5];
            labels[r] = label(score, random);
            for (var c = 0; c < x.Length; c++)
            {
                features[r * x.Length + c] = random.NextDouble() < 0.03 ? float.NaN : (float)x[c];
            }
        }
        return new TabularData(features, rows, Names, labels);
    }

    private static double Noise(Random random) => random.NextDouble() + random.NextDouble() - 1;
}
