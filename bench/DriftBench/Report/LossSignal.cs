using System.Globalization;
using Cascade.Bench.Drift.Detectors;
using Cascade.Bench.Drift.Models;
using Cascade.Bench.Drift.Streams;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Performance;

namespace Cascade.Bench.Drift.Report;

/// <summary>
/// How much the first drift of each abrupt stream moves the loss the monitor's detectors watch (Monitoring's own
/// <see cref="DetectorLoss"/>: the Brier score) and the 0/1 error the baselines watch, for the model trained on the
/// first reference window. ADWIN needs about 2σ²·ln(2·ln W/δ)/Δ² values after a change of the mean by Δ, so the
/// effect size Δ/σ decides the delay: a loss with half the effect size needs four times the values.
/// </summary>
public static class LossSignal
{
    /// <summary>Instances before and after the drift that the means are taken over.</summary>
    public const int Span = 5_000;

    public static void Print(TextWriter output, IEnumerable<StreamSpec> streams, ModelKind kind)
    {
        output.WriteLine("| stream | Brier before → after | Brier Δ/σ | 0/1 error before → after | error Δ/σ | values needed, Brier ÷ error |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var spec in streams.Where(s => s.Schedule.Shape == DriftShape.Abrupt))
        {
            var stream = LabelledStream.Generate(spec, 1);
            var reference = ReferenceModel.Train(kind, stream, 0, CascadeMonitorDetector.ReferenceSize);
            var task = stream.Schema.Classes == 2 ? ModelTask.BinaryClassification : ModelTask.MulticlassClassification;
            var drift = spec.Schedule.Positions[0];
            var outputs = new float[reference.Model.OutputsPerRow];
            var (brierBefore, errorBefore) = Losses(stream, reference, task, outputs, drift - Span, drift);
            var (brierAfter, errorAfter) = Losses(stream, reference, task, outputs, drift, drift + Span);
            var brierEffect = Effect(brierBefore, brierAfter);
            var errorEffect = Effect(errorBefore, errorAfter);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {spec.Name} | {brierBefore.Mean:F3} → {brierAfter.Mean:F3} | {brierEffect:F2} | {errorBefore.Mean:F3} → {errorAfter.Mean:F3} | {errorEffect:F2} | {errorEffect * errorEffect / (brierEffect * brierEffect):F1}× |"));
        }
        output.WriteLine();
    }

    private static (Moments Brier, Moments Error) Losses(LabelledStream stream, ReferenceModel reference, ModelTask task, float[] outputs, int from, int to)
    {
        var brier = new Moments();
        var error = new Moments();
        for (var t = from; t < to; t++)
        {
            reference.Model.Predict(stream.Row(t), outputs);
            var label = stream.Label(t);
            brier.Add(DetectorLoss.For(task, outputs, label, referencePredictionStd: 1, regressionErrorScale: 1));
            error.Add(Predicted(outputs) == label ? 0 : 1);
        }
        return (brier, error);
    }

    private static int Predicted(ReadOnlySpan<float> outputs)
    {
        if (outputs.Length == 1) return outputs[0] >= 0.5f ? 1 : 0;
        var best = 0;
        for (var c = 1; c < outputs.Length; c++)
        {
            if (outputs[c] > outputs[best]) best = c;
        }
        return best;
    }

    /// <summary>The rise of the mean in units of the pooled standard deviation.</summary>
    private static double Effect(Moments before, Moments after) =>
        (after.Mean - before.Mean) / Math.Sqrt((before.Variance + after.Variance) / 2);

    private sealed class Moments
    {
        private long n;
        private double mean, squares;

        public double Mean => mean;

        public double Variance => n > 1 ? squares / (n - 1) : 0;

        public void Add(double value)
        {
            n++;
            var delta = value - mean;
            mean += delta / n;
            squares += delta * (value - mean);
        }
    }
}
