using Cascade.Bench.Drift.Generators;

namespace Cascade.Bench.Drift.Streams;

/// <summary>How a stream's concepts change: not at all, abruptly, or gradually.</summary>
public enum DriftShape
{
    None,
    Abrupt,
    Gradual,
}

/// <summary>
/// Where a stream's concept changes. Drift j moves from segment j to segment j + 1 at <see cref="Positions"/>[j]:
/// abruptly when <see cref="Width"/> is 0, else gradually as in MOA's ConceptDriftStream, where an instance at t comes
/// from the new concept with probability 1 / (1 + e^(−4(t − position)/width)): 12% half a width before the position,
/// 88% half a width after.
/// </summary>
public sealed record DriftSchedule(int Length, IReadOnlyList<int> Positions, int Width)
{
    /// <summary>Beyond this many widths from a position the sigmoid is 0 or 1 to within 4·10⁻¹⁸: no draw is needed.</summary>
    private const int Reach = 10;

    /// <summary>A drift every <paramref name="spacing"/> instances, the first at <paramref name="spacing"/>.</summary>
    public static DriftSchedule Every(int length, int spacing, int width)
    {
        var positions = new List<int>();
        for (var p = spacing; p < length; p += spacing) positions.Add(p);
        return new DriftSchedule(length, positions, width);
    }

    /// <summary>One concept throughout.</summary>
    public static DriftSchedule Stationary(int length) => new(length, [], 0);

    public DriftShape Shape => Positions.Count == 0 ? DriftShape.None : Width == 0 ? DriftShape.Abrupt : DriftShape.Gradual;

    /// <summary>Where drift <paramref name="drift"/> starts: its position, or half a width before it when gradual.</summary>
    public int Start(int drift) => Positions[drift] - Width / 2;

    /// <summary>Where drift <paramref name="drift"/> is over: its position, or half a width after it when gradual.</summary>
    public int End(int drift) => Positions[drift] + Width / 2;

    /// <summary>The segment (concept) instance <paramref name="t"/> is drawn from; gradual drifts draw from <paramref name="random"/>.</summary>
    public int SegmentAt(int t, StreamRandom random)
    {
        var segment = 0;
        for (var j = 0; j < Positions.Count; j++)
        {
            var distance = t - Positions[j];
            bool crossed;
            if (Width == 0) crossed = distance >= 0;
            else if (distance <= -Reach * Width) crossed = false;
            else if (distance >= Reach * Width) crossed = true;
            else crossed = random.NextDouble() < 1 / (1 + Math.Exp(-4.0 * distance / Width));
            // Nested as MOA nests ConceptDriftStreams: the later concepts are reached only through the earlier ones.
            if (!crossed) break;
            segment = j + 1;
        }
        return segment;
    }
}
