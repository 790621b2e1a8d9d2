namespace Cascade.Bench.Drift.Generators;

/// <summary>
/// The LED display (Breiman et al. 1984; MOA's LEDGeneratorDrift): a digit 0–9 drawn uniformly, its seven segments as
/// binary attributes, each flipped with probability 10%, and 17 irrelevant attributes that are fair coin flips: 24
/// attributes, 10 classes. Drift swaps relevant attributes with irrelevant ones as MOA does (segment i ↔ attribute
/// 7 + i for the first d segments); segment k of the stream swaps d = 1, 3, 5, 7, 1, … attributes. Unlike the other
/// generators this moves the features' marginal distributions too (a segment lit for 74% of digits now sits where a
/// coin flip was), so a detector that never sees labels can notice it.
/// </summary>
public sealed class Led : IConceptGenerator
{
    public const int Segments = 7;
    public const int Irrelevant = 17;
    private const double Noise = 0.10;

    /// <summary>Attributes swapped per concept, in order.</summary>
    public static readonly int[] SwappedPerConcept = [1, 3, 5, 7];

    private static readonly int[,] Digits =
    {
        { 1, 1, 1, 0, 1, 1, 1 }, { 0, 0, 1, 0, 0, 1, 0 }, { 1, 0, 1, 1, 1, 0, 1 }, { 1, 0, 1, 1, 0, 1, 1 }, { 0, 1, 1, 1, 0, 1, 0 },
        { 1, 1, 0, 1, 0, 1, 1 }, { 1, 1, 0, 1, 1, 1, 1 }, { 1, 0, 1, 0, 0, 1, 0 }, { 1, 1, 1, 1, 1, 1, 1 }, { 1, 1, 1, 1, 0, 1, 1 },
    };

    private readonly int[][] positions = SwappedPerConcept.Select(Positions).ToArray();

    public string Name => "LED";

    public StreamSchema Schema { get; } = new(Enumerable.Range(1, Segments + Irrelevant).Select(i => FeatureSpec.Binary($"att{i}")).ToArray(), 10);

    /// <summary>Where attribute i (segments first, then the irrelevant ones) is written when <paramref name="swapped"/> segments are swapped.</summary>
    public static int[] Positions(int swapped)
    {
        var position = Enumerable.Range(0, Segments + Irrelevant).ToArray();
        for (var i = 0; i < swapped; i++)
        {
            position[i] = Segments + i;
            position[Segments + i] = i;
        }
        return position;
    }

    /// <summary>Whether segment <paramref name="segment"/> of digit <paramref name="digit"/> is lit.</summary>
    public static bool Lit(int digit, int segment) => Digits[digit, segment] == 1;

    public int Next(int segment, StreamRandom random, Span<float> features)
    {
        var position = positions[segment % positions.Length];
        var digit = random.NextInt(10);
        for (var s = 0; s < Segments; s++)
        {
            var lit = Lit(digit, s) ^ random.Bernoulli(Noise);
            features[position[s]] = lit ? 1 : 0;
        }
        for (var i = 0; i < Irrelevant; i++) features[position[Segments + i]] = random.NextInt(2);
        return digit;
    }

    public string Describe(int segment) => $"{SwappedPerConcept[segment % SwappedPerConcept.Length]} segment(s) swapped";
}
