using System.Diagnostics;
using System.Globalization;
using Cascade.Bench.Drift.Models;
using Cascade.Bench.Drift.Streams;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;

namespace Cascade.Bench.Drift.Detectors;

/// <summary>
/// Cascade's monitor (<see cref="ModelMonitor"/>, the real class, with its real options) run as the cascade runs it.
/// A model (<see cref="ModelKind"/>: a Naive Bayes, or XGBoost as Training makes it) is trained on the stream's first
/// <see cref="ReferenceSize"/> instances and its reference profile built; from then on each instance is a served
/// prediction (features and the model's output, one second of event time apart) and, when the variant has labels, its
/// label right after. The first alert at the variant's severity is a detection; the cascade
/// then retrains: the next <see cref="ReferenceSize"/> instances train a new version, which is activated with its own
/// profile (clearing windows, detectors and dedup memory), and monitoring resumes after them. Instances spent
/// collecting a reference are not monitored: that is the price of a detection, true or false.
/// </summary>
public sealed class CascadeMonitorDetector(CascadeVariant variant, ModelKind modelKind = ModelKind.NaiveBayes) : IBenchDetector
{
    /// <summary>Instances a model version is trained and profiled on: 2,000 to train, 500 held out.</summary>
    public const int ReferenceSize = 2_500;

    private const string Model = "bench";
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string Name => variant.Name;

    public string Description => $"{variant.Description}; the model is {(modelKind == ModelKind.XGBoost ? "XGBoost (depth 4, η 0.2, 60 rounds)" : "a Naive Bayes")}";

    public bool IsBaseline => false;

    public DetectorRun Run(LabelledStream stream)
    {
        var monitor = new ModelMonitor(Model, variant.Options());
        var task = stream.Schema.Classes == 2 ? ModelTask.BinaryClassification : ModelTask.MulticlassClassification;
        var detections = new List<int>();
        var causes = new List<string>();
        long ticks = 0, observed = 0;
        var version = 1;
        var reference = ReferenceModel.Train(modelKind, stream, 0, ReferenceSize);
        ticks += Timed(() => monitor.Activate(version, reference.Profile, task));
        var t = ReferenceSize;
        while (t < stream.Length)
        {
            // Building the record (model output, id, time) is Serving's work, not the monitor's: outside the timing.
            var outputs = new float[reference.Model.OutputsPerRow];
            reference.Model.Predict(stream.Row(t), outputs);
            var id = t.ToString(CultureInfo.InvariantCulture);
            var time = Epoch.AddSeconds(t);
            var prediction = new PredictionRecord(id, Model, version, null, time, t, stream.RowMemory(t), outputs);
            var label = variant.Labels ? new LabelRecord(Model, id, null, time, stream.Label(t)) : null;

            var start = Stopwatch.GetTimestamp();
            var alert = Counted(monitor.Observe(prediction));
            if (alert is null && label is not null) alert = Counted(monitor.Observe(label));
            ticks += Stopwatch.GetTimestamp() - start;
            observed++;

            if (alert is null)
            {
                t++;
                continue;
            }
            detections.Add(t);
            causes.Add(Cause(alert));
            var next = t + 1;
            if (next + ReferenceSize > stream.Length) break;
            reference = ReferenceModel.Train(modelKind, stream, next, ReferenceSize);
            version++;
            ticks += Timed(() => monitor.Activate(version, reference.Profile, task));
            t = next + ReferenceSize;
        }
        return new DetectorRun(detections, observed, (double)ticks / Stopwatch.Frequency, causes);
    }

    /// <summary>The first alert at the variant's severity, if any.</summary>
    private DriftAlert? Counted(IReadOnlyList<DriftAlert> alerts)
    {
        foreach (var alert in alerts)
        {
            if (alert.Severity >= variant.MinSeverity) return alert;
        }
        return null;
    }

    /// <summary>"feature drift: psi", "prediction drift: ks_p_value", "loss: adwin", "loss: adwin + page_hinkley" (CRITICAL: both agreed), "estimated performance: cbpe_accuracy".</summary>
    internal static string Cause(DriftAlert alert) => alert.Kind switch
    {
        DriftKind.FeatureDrift => $"feature drift: {alert.Evidence.Statistic}",
        DriftKind.PredictionDrift => $"prediction drift: {alert.Evidence.Statistic}",
        DriftKind.PerformanceDegradation when alert.Severity == AlertSeverity.Critical => "loss: adwin + page_hinkley",
        DriftKind.PerformanceDegradation => $"loss: {alert.Evidence.Statistic}",
        DriftKind.EstimatedPerformanceDrop => $"estimated performance: {alert.Evidence.Statistic}",
        _ => alert.Kind.ToString(),
    };

    private static long Timed(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetTimestamp() - start;
    }
}
