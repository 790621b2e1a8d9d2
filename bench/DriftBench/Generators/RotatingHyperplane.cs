namespace Cascade.Bench.Drift.Generators;

/// <summary>
/// The rotating hyperplane (Hulten, Spencer &amp; Domingos, "Mining time-changing data streams", KDD 2001; MOA's
/// HyperplaneGenerator): ten attributes uniform in [0, 1); class 1 when Σ wᵢxᵢ ≥ ½·Σ wᵢ, that is w·(x − ½) ≥ 0, a
/// hyperplane through the centre of the cube; 5% of the labels flipped (MOA's default). Hulten et al. move the weights a
/// little at every instance; to have known drift points, the normal w is instead rotated at each drift by 45° towards
/// a random direction orthogonal to it, which relabels about a quarter of the space (θ/π for isotropic data).
/// </summary>
public sealed class RotatingHyperplane : IConceptGenerator
{
    public const int Dimensions = 10;
    public const double RotationDegrees = 45;
    private const double Noise = 0.05;

    private readonly List<double[]> normals = [];
    private readonly StreamRandom rotations;

    /// <summary>The first normal (MOA: weights uniform in [0, 1)) and every later rotation follow from <paramref name="seed"/>.</summary>
    public RotatingHyperplane(ulong seed)
    {
        // Its own generator, so that the concepts do not depend on how many instances were drawn before a drift.
        rotations = new StreamRandom(~seed);
        var first = new double[Dimensions];
        for (var i = 0; i < Dimensions; i++) first[i] = rotations.NextDouble();
        normals.Add(first);
    }

    public string Name => "Hyperplane";

    public StreamSchema Schema { get; } = new(Enumerable.Range(1, Dimensions).Select(i => FeatureSpec.Numeric($"x{i}")).ToArray(), 2);

    /// <summary>The normal of segment <paramref name="segment"/>'s hyperplane.</summary>
    public IReadOnlyList<double> Normal(int segment)
    {
        while (normals.Count <= segment) normals.Add(Rotate(normals[^1]));
        return normals[segment];
    }

    /// <summary>The class without noise.</summary>
    public static int Concept(ReadOnlySpan<float> x, IReadOnlyList<double> normal)
    {
        var side = 0.0;
        for (var i = 0; i < normal.Count; i++) side += normal[i] * (x[i] - 0.5);
        return side >= 0 ? 1 : 0;
    }

    public int Next(int segment, StreamRandom random, Span<float> features)
    {
        for (var i = 0; i < Dimensions; i++) features[i] = (float)random.NextDouble();
        var label = Concept(features, Normal(segment));
        return random.Bernoulli(Noise) ? 1 - label : label;
    }

    public string Describe(int segment) => segment == 0 ? "w uniform in [0, 1)" : $"rotated {RotationDegrees * segment:0}° in all";

    /// <summary>w' = |w|·(cos θ·ŵ + sin θ·û) with û a random unit vector orthogonal to w (Gram–Schmidt on a Gaussian draw).</summary>
    private double[] Rotate(double[] w)
    {
        var norm = Math.Sqrt(w.Sum(v => v * v));
        var u = new double[Dimensions];
        for (var i = 0; i < Dimensions; i++) u[i] = rotations.Normal();
        var along = 0.0;
        for (var i = 0; i < Dimensions; i++) along += u[i] * w[i] / norm;
        for (var i = 0; i < Dimensions; i++) u[i] -= along * w[i] / norm;
        var uNorm = Math.Sqrt(u.Sum(v => v * v));
        var theta = RotationDegrees * Math.PI / 180;
        var rotated = new double[Dimensions];
        for (var i = 0; i < Dimensions; i++) rotated[i] = norm * (Math.Cos(theta) * w[i] / norm + Math.Sin(theta) * u[i] / uNorm);
        return rotated;
    }
}
