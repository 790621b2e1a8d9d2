namespace Cascade.Bench.Drift.Generators;

/// <summary>
/// Sine1 (Gama et al., "Learning with drift detection", SBIA 2004; MOA's SineGenerator function 1/2): x and y uniform
/// in [0, 1); points below y = sin(x) are class 0, the others class 1, and every drift reverses the classification.
/// We add 10% label noise: noise-free, every error-based detector fires on the first error after a reversal.
/// </summary>
public sealed class Sine1 : IConceptGenerator
{
    private const double Noise = 0.10;

    public string Name => "Sine1";

    public StreamSchema Schema { get; } = new([FeatureSpec.Numeric("x"), FeatureSpec.Numeric("y")], 2);

    /// <summary>The class without noise: class 0 below the curve, reversed in odd segments.</summary>
    public static int Concept(double x, double y, int segment)
    {
        var below = y < Math.Sin(x) ? 0 : 1;
        return segment % 2 == 0 ? below : 1 - below;
    }

    public int Next(int segment, StreamRandom random, Span<float> features)
    {
        features[0] = (float)random.NextDouble();
        features[1] = (float)random.NextDouble();
        var label = Concept(features[0], features[1], segment);
        return random.Bernoulli(Noise) ? 1 - label : label;
    }

    public string Describe(int segment) => segment % 2 == 0 ? "below sin(x) is class 0" : "reversed";
}
