using System.Diagnostics;
using Cascade.Bench.Drift.Learners;
using Cascade.Bench.Drift.Streams;
using Cascade.Monitoring.Domain.Detectors;

namespace Cascade.Bench.Drift.Detectors;

/// <summary>
/// A classic error-rate detector as the literature runs it (MOA's DriftDetectionMethodClassifier, Tornado): an
/// incremental Naive Bayes predicts each instance, then learns it (prequential, labels at once); the detector sees
/// the 0/1 error; on a detection the learner and the detector start afresh. Only a rise of the error counts, as in
/// MOA's ADWINChangeDetector: ADWIN also cuts its window when the error falls, which is no drift.
/// </summary>
/// <remarks>The detectors are Cascade's own (<see cref="Adwin"/>, <see cref="PageHinkley"/> from Monitoring), given
/// the error stream instead of the monitor's Brier loss.</remarks>
public sealed class ErrorStreamDetector(string name, string description, Func<IDriftDetector> create) : IBenchDetector
{
    public string Name => name;

    public string Description => description;

    public bool IsBaseline => true;

    public DetectorRun Run(LabelledStream stream)
    {
        var learner = new NaiveBayes(stream.Schema);
        var detector = create();
        var errors = new double[stream.Length];
        var detections = new List<int>();
        for (var t = 0; t < stream.Length; t++)
        {
            var row = stream.Row(t);
            var label = stream.Label(t);
            errors[t] = learner.PredictClass(row) == label ? 0 : 1;
            if (Flags(detector, errors[t]))
            {
                detections.Add(t);
                learner = new NaiveBayes(stream.Schema);
                detector.Reset();
            }
            learner.Learn(row, label);
        }
        return new DetectorRun(detections, stream.Length, Time(errors, detections.Count), detections.Select(_ => name).ToArray());
    }

    /// <summary>A detection that counts: an update that found a change, unless the change was a fall (NaN: direction unknown, counts).</summary>
    internal static bool Flags(IDriftDetector detector, double error) => detector.Update(error) && !(detector.LastChange <= 0);

    /// <summary>
    /// The detector's own cost: the recorded error stream replayed into a fresh detector, which takes the same decisions
    /// (it is deterministic), timed as one loop; best of two, the first also warming the JIT.
    /// </summary>
    private double Time(double[] errors, int expectedDetections)
    {
        var best = double.PositiveInfinity;
        for (var round = 0; round < 2; round++)
        {
            var detector = create();
            var detections = 0;
            var start = Stopwatch.GetTimestamp();
            foreach (var error in errors)
            {
                if (!Flags(detector, error)) continue;
                detections++;
                detector.Reset();
            }
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
            if (detections != expectedDetections) throw new InvalidOperationException($"{name}: the replay took {detections} decisions, the run {expectedDetections}.");
        }
        return best;
    }
}
