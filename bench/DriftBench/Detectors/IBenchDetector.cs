using Cascade.Bench.Drift.Streams;

namespace Cascade.Bench.Drift.Detectors;

/// <summary>A detector under test, with whatever model and protocol it needs around it, run over a whole stream.</summary>
public interface IBenchDetector
{
    /// <summary>As printed in the tables: "adwin", "cascade".</summary>
    string Name { get; }

    /// <summary>One sentence for the report: what it watches and when it counts a detection.</summary>
    string Description { get; }

    /// <summary>Whether it is a classic baseline (the goals compare Cascade's variants with these).</summary>
    bool IsBaseline { get; }

    /// <summary>Runs over <paramref name="stream"/> from its first instance; detections are instance indices.</summary>
    DetectorRun Run(LabelledStream stream);
}

/// <summary>What a detector did on one stream.</summary>
/// <param name="Detections">The instances at which it signalled a drift, ascending.</param>
/// <param name="Instances">Instances the detector itself processed (for throughput).</param>
/// <param name="Seconds">Time spent in the detector alone, excluding the stream, the learner and the model.</param>
/// <param name="Causes">For each detection, what raised it ("loss: adwin", "feature drift: psi"), for the report.</param>
public sealed record DetectorRun(IReadOnlyList<int> Detections, long Instances, double Seconds, IReadOnlyList<string> Causes);
