namespace Cascade.Bench.Drift.Generators;

/// <summary>
/// Mixed (Gama et al. 2004; MOA's MixedGenerator): Booleans v and w (each 1 with probability ½), x and y uniform in
/// [0, 1); class 0 when at least two of v, w and y &lt; 0.5 + 0.3·sin(3πx) hold, and every drift reverses the
/// classification. We add 10% label noise, as for Sine1.
/// </summary>
public sealed class Mixed : IConceptGenerator
{
    private const double Noise = 0.10;

    public string Name => "Mixed";

    public StreamSchema Schema { get; } = new([FeatureSpec.Binary("v"), FeatureSpec.Binary("w"), FeatureSpec.Numeric("x"), FeatureSpec.Numeric("y")], 2);

    /// <summary>The class without noise, reversed in odd segments.</summary>
    public static int Concept(bool v, bool w, double x, double y, int segment)
    {
        var z = y < 0.5 + 0.3 * Math.Sin(3 * Math.PI * x);
        var label = (v && w) || (v && z) || (w && z) ? 0 : 1;
        return segment % 2 == 0 ? label : 1 - label;
    }

    public int Next(int segment, StreamRandom random, Span<float> features)
    {
        var v = random.NextDouble() >= 0.5;
        var w = random.NextDouble() >= 0.5;
        features[0] = v ? 1 : 0;
        features[1] = w ? 1 : 0;
        features[2] = (float)random.NextDouble();
        features[3] = (float)random.NextDouble();
        var label = Concept(v, w, features[2], features[3], segment);
        return random.Bernoulli(Noise) ? 1 - label : label;
    }

    public string Describe(int segment) => segment % 2 == 0 ? "two of v, w, y < 0.5 + 0.3·sin(3πx) is class 0" : "reversed";
}
