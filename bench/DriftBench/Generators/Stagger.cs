namespace Cascade.Bench.Drift.Generators;

/// <summary>
/// STAGGER concepts (Schlimmer &amp; Granger, "Incremental learning from noisy data", Machine Learning 1986; MOA's
/// STAGGERGenerator): size, colour and shape, each uniform over three values; class 1 when (A) size = small ∧ colour =
/// red, (B) colour = green ∨ shape = circle, (C) size = medium ∨ size = large, the concepts following each other in
/// that order. We add 10% label noise (the original is noise-free).
/// </summary>
public sealed class Stagger : IConceptGenerator
{
    private const double Noise = 0.10;

    private static readonly string[] Sizes = ["small", "medium", "large"];
    private static readonly string[] Colors = ["red", "green", "blue"];
    private static readonly string[] Shapes = ["circle", "square", "triangle"];

    public string Name => "STAGGER";

    public StreamSchema Schema { get; } = new(
        [FeatureSpec.Categorical("size", Sizes), FeatureSpec.Categorical("color", Colors), FeatureSpec.Categorical("shape", Shapes)], 2);

    /// <summary>The class without noise for concept 0 (A), 1 (B) or 2 (C), from the attributes' indices.</summary>
    public static int Concept(int size, int color, int shape, int concept) => concept switch
    {
        0 => size == 0 && color == 0 ? 1 : 0,
        1 => color == 1 || shape == 0 ? 1 : 0,
        2 => size is 1 or 2 ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(concept), concept, "STAGGER has concepts 0, 1 and 2."),
    };

    public int Next(int segment, StreamRandom random, Span<float> features)
    {
        var size = random.NextInt(3);
        var color = random.NextInt(3);
        var shape = random.NextInt(3);
        features[0] = size;
        features[1] = color;
        features[2] = shape;
        var label = Concept(size, color, shape, segment % 3);
        return random.Bernoulli(Noise) ? 1 - label : label;
    }

    public string Describe(int segment) => (segment % 3) switch
    {
        0 => "size = small ∧ color = red",
        1 => "color = green ∨ shape = circle",
        _ => "size = medium ∨ large",
    };
}
