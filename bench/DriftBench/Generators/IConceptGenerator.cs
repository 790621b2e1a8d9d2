namespace Cascade.Bench.Drift.Generators;

/// <summary>
/// A synthetic data generator with a sequence of concepts. A stream is cut into segments by its drift points; segment
/// k follows the generator's k-th concept (generators with few concepts cycle through them).
/// </summary>
public interface IConceptGenerator
{
    /// <summary>Short name, as in the literature ("SEA", "Sine1").</summary>
    string Name { get; }

    StreamSchema Schema { get; }

    /// <summary>Draws one instance of segment <paramref name="segment"/>'s concept into <paramref name="features"/>
    /// (<see cref="StreamSchema.Width"/> values) and returns its class, noise included.</summary>
    int Next(int segment, StreamRandom random, Span<float> features);

    /// <summary>The concept segment <paramref name="segment"/> follows, in the literature's terms ("θ = 8").</summary>
    string Describe(int segment);
}
