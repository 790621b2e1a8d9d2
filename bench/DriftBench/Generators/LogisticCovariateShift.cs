namespace Cascade.Bench.Drift.Generators;

/// <summary>
/// A covariate-shift stream (ours, for confidence-based performance estimation): two numeric attributes, and a class
/// drawn with P(y = 1 | x) = σ(2·(x1 − x2)), the same in every segment; only where the inputs fall moves. The first
/// segment spreads them widely over both sides of the boundary (the model learns the whole relation there); later
/// segments gather them near the boundary (accuracy falls), far on one side (it rises), then on the other side.
/// </summary>
public sealed class LogisticCovariateShift : IConceptGenerator
{
    /// <summary>Each segment's input centre (x1, x2) and spread.</summary>
    private static readonly (double X1, double X2, double Spread)[] Segments =
        [(0, 0, 1.5), (0, 0, 0.5), (1, -1, 0.5), (-0.6, 0.6, 0.5), (0.2, 0, 0.4)];

    public string Name => "Logistic covariate shift";

    public StreamSchema Schema { get; } = new([FeatureSpec.Numeric("x1"), FeatureSpec.Numeric("x2")], 2);

    public int Next(int segment, StreamRandom random, Span<float> features)
    {
        var (c1, c2, spread) = Segments[segment % Segments.Length];
        features[0] = (float)(c1 + spread * random.Normal());
        features[1] = (float)(c2 + spread * random.Normal());
        var p = 1 / (1 + Math.Exp(-2.0 * (features[0] - features[1])));
        return random.Bernoulli(p) ? 1 : 0;
    }

    public string Describe(int segment)
    {
        var (c1, c2, spread) = Segments[segment % Segments.Length];
        return FormattableString.Invariant($"x ~ N(({c1}, {c2}), {spread}²)");
    }
}
