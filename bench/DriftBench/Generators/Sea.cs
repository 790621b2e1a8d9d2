namespace Cascade.Bench.Drift.Generators;

/// <summary>
/// SEA concepts (Street &amp; Kim, KDD 2001; MOA's SEAGenerator): three attributes uniform in [0, 10), of which only the
/// first two matter; class 0 when f1 + f2 ≤ θ, else 1, with θ = 8, 9, 7, 9.5 for the four concepts, and 10% of the
/// labels flipped. The features' distribution never changes: only the labelling does (real drift).
/// </summary>
public sealed class Sea : IConceptGenerator
{
    /// <summary>The published thresholds, in order.</summary>
    public static readonly double[] Thresholds = [8, 9, 7, 9.5];

    private const double Noise = 0.10;

    public string Name => "SEA";

    public StreamSchema Schema { get; } = new([FeatureSpec.Numeric("f1"), FeatureSpec.Numeric("f2"), FeatureSpec.Numeric("f3")], 2);

    /// <summary>The class without noise for concept θ.</summary>
    public static int Concept(double f1, double f2, double theta) => f1 + f2 <= theta ? 0 : 1;

    public int Next(int segment, StreamRandom random, Span<float> features)
    {
        var f1 = random.Uniform(0, 10);
        var f2 = random.Uniform(0, 10);
        var f3 = random.Uniform(0, 10);
        features[0] = (float)f1;
        features[1] = (float)f2;
        features[2] = (float)f3;
        // The label is decided on the float values the model sees, so that noise is the only label noise.
        var label = Concept(features[0], features[1], Thresholds[segment % Thresholds.Length]);
        return random.Bernoulli(Noise) ? 1 - label : label;
    }

    public string Describe(int segment) => $"θ = {Thresholds[segment % Thresholds.Length]}";
}
