using Cascade.Bench.Drift.Generators;

namespace Cascade.Bench.Drift.Streams;

/// <summary>The benchmark's streams: every generator with abrupt and with gradual drifts, and long stationary streams.</summary>
public static class StreamCatalog
{
    /// <summary>Instances per drifting stream, and between drifts (Pesaranghader et al.'s Tornado protocol).</summary>
    public const int DriftingLength = 100_000, Spacing = 20_000;

    /// <summary>Width of a gradual drift's sigmoid transition.</summary>
    public const int GradualWidth = 500;

    /// <summary>The generators, by name, each made fresh from a seed.</summary>
    public static readonly IReadOnlyList<(string Name, Func<ulong, IConceptGenerator> Create)> Generators =
    [
        ("SEA", _ => new Sea()),
        ("Sine1", _ => new Sine1()),
        ("Mixed", _ => new Mixed()),
        ("STAGGER", _ => new Stagger()),
        ("Agrawal", _ => new Agrawal()),
        ("Hyperplane", seed => new RotatingHyperplane(seed)),
        ("LED", _ => new Led()),
    ];

    /// <summary>Every drifting stream, abrupt then gradual per generator, then the stationary ones of <paramref name="stationaryLength"/> instances.</summary>
    public static IReadOnlyList<StreamSpec> All(int stationaryLength)
    {
        var streams = new List<StreamSpec>();
        foreach (var (name, create) in Generators)
        {
            streams.Add(new StreamSpec($"{name} abrupt", create, DriftSchedule.Every(DriftingLength, Spacing, 0)));
            streams.Add(new StreamSpec($"{name} gradual", create, DriftSchedule.Every(DriftingLength, Spacing, GradualWidth)));
        }
        // SEA's first concept (θ = 8) and Agrawal's function 1, unchanged: every detection is a false alarm.
        streams.Add(new StreamSpec("SEA no drift", _ => new Sea(), DriftSchedule.Stationary(stationaryLength)));
        streams.Add(new StreamSpec("Agrawal no drift", _ => new Agrawal(), DriftSchedule.Stationary(stationaryLength)));
        return streams;
    }
}
