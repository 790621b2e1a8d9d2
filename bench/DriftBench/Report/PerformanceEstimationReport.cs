using System.Globalization;
using Cascade.Bench.Drift.Detectors;
using Cascade.Bench.Drift.Generators;
using Cascade.Bench.Drift.Models;
using Cascade.Bench.Drift.Streams;
using Cascade.Monitoring.Domain.Performance;

namespace Cascade.Bench.Drift.Report;

/// <summary>
/// Where confidence-based performance estimation (Monitoring's <see cref="ConfidenceBasedEstimate"/>) holds and where it
/// cannot: the model trained on the first reference window, then the stream cut into tumbling windows of the monitor's
/// size, each window's estimated accuracy (from the model's probabilities alone) against the accuracy its labels
/// realise, summarised per segment. On a covariate-shift stream the estimate follows the realised accuracy; on a
/// concept-shift stream (SEA: the labelling moves, the inputs do not) it cannot move at all.
/// </summary>
public static class PerformanceEstimationReport
{
    /// <summary>Instances per window: the monitor's default window.</summary>
    public const int Window = 500;

    /// <summary>The two streams: covariate shift, then concept shift.</summary>
    public static IReadOnlyList<(StreamSpec Spec, string Shift)> Streams { get; } =
    [
        (new StreamSpec("Logistic covariate shift", _ => new LogisticCovariateShift(), DriftSchedule.Every(StreamCatalog.DriftingLength, StreamCatalog.Spacing, 0)), "covariate"),
        (new StreamSpec("SEA abrupt", _ => new Sea(), DriftSchedule.Every(StreamCatalog.DriftingLength, StreamCatalog.Spacing, 0)), "concept"),
    ];

    public static void Print(TextWriter output, ModelKind kind)
    {
        output.WriteLine("| stream | shift | segment | concept | windows | realised accuracy | estimated accuracy | mean abs. error per window |");
        output.WriteLine("|---|---|---:|---|---:|---:|---:|---:|");
        foreach (var (spec, shift) in Streams)
        {
            var stream = LabelledStream.Generate(spec, 1);
            var generator = spec.Generator(1);
            var reference = ReferenceModel.Train(kind, stream, 0, CascadeMonitorDetector.ReferenceSize);
            var outputs = new float[reference.Model.OutputsPerRow];
            var probabilities = new float[Window];
            var bounds = new List<int> { CascadeMonitorDetector.ReferenceSize };
            bounds.AddRange(spec.Schedule.Positions);
            bounds.Add(stream.Length);
            for (var s = 0; s + 1 < bounds.Count; s++)
            {
                double realised = 0, estimated = 0, error = 0;
                var windows = 0;
                for (var start = bounds[s]; start + Window <= bounds[s + 1]; start += Window)
                {
                    var correct = 0;
                    for (var i = 0; i < Window; i++)
                    {
                        reference.Model.Predict(stream.Row(start + i), outputs);
                        probabilities[i] = outputs[0];
                        if ((outputs[0] >= 0.5f ? 1 : 0) == stream.Label(start + i)) correct++;
                    }
                    var actual = (double)correct / Window;
                    var expected = ConfidenceBasedEstimate.Accuracy(probabilities);
                    realised += actual;
                    estimated += expected;
                    error += Math.Abs(expected - actual);
                    windows++;
                }
                if (windows == 0) continue;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {spec.Name} | {shift} | {s} | {generator.Describe(s)} | {windows} | {realised / windows:F3} | {estimated / windows:F3} | {error / windows:F3} |"));
            }
        }
        output.WriteLine();
    }
}
