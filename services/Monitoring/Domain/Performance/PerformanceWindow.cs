using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Statistics;

namespace Cascade.Monitoring.Domain.Performance;

/// <summary>The last labelled predictions, over which the performance metrics are computed on demand.</summary>
public sealed class PerformanceWindow(int capacity)
{
    private readonly LabeledPrediction[] ring = new LabeledPrediction[capacity];
    private int next;

    /// <summary>Labelled predictions held.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one, evicting the oldest when full.</summary>
    public void Add(LabeledPrediction labeled)
    {
        ring[next] = labeled;
        next = (next + 1) % ring.Length;
        if (Count < ring.Length) Count++;
    }

    /// <summary>Offsets and times of the oldest and newest labelled prediction held.</summary>
    public WindowBounds Bounds()
    {
        if (Count == 0) return default;
        var oldest = ring[Count < ring.Length ? 0 : next];
        var newest = ring[(next - 1 + ring.Length) % ring.Length];
        return new WindowBounds(oldest.Offset, newest.Offset, Count, oldest.Time, newest.Time);
    }

    /// <summary>
    /// Metrics by name: <c>log_loss</c>, <c>accuracy</c>, <c>auc</c> (binary), <c>brier</c> (classifiers),
    /// <c>rmse</c>, <c>mae</c> (regression); empty while nothing is labelled.
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics(ModelTask task)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (Count == 0) return metrics;
        var held = Export();
        var labels = held.Select(l => l.Label).ToArray();
        switch (task)
        {
            case ModelTask.BinaryClassification:
            {
                var scores = held.Select(l => (double)l.Outputs[0]).ToArray();
                metrics["log_loss"] = ClassificationMetrics.LogLoss(scores, labels);
                metrics["accuracy"] = ClassificationMetrics.Accuracy(scores, labels);
                var auc = ClassificationMetrics.RocAuc(scores, labels);
                if (!double.IsNaN(auc)) metrics["auc"] = auc;
                break;
            }
            case ModelTask.MulticlassClassification:
            {
                var classes = held[0].Outputs.Length;
                if (held.Any(l => l.Outputs.Length != classes) || classes < 2) break;
                var probabilities = held.SelectMany(l => l.Outputs.Select(p => (double)p)).ToArray();
                metrics["log_loss"] = MulticlassMetrics.LogLoss(probabilities, classes, labels);
                metrics["accuracy"] = MulticlassMetrics.Accuracy(probabilities, classes, labels);
                break;
            }
            case ModelTask.Regression:
            {
                var predictions = held.Select(l => (double)l.Outputs[0]).ToArray();
                metrics["rmse"] = RegressionMetrics.Rmse(predictions, labels);
                metrics["mae"] = RegressionMetrics.Mae(predictions, labels);
                break;
            }
        }
        if (task != ModelTask.Regression)
        {
            metrics["brier"] = held.Average(l => DetectorLoss.For(task, l.Outputs, l.Label, 1, 1));
        }
        return metrics;
    }

    /// <summary>The labelled predictions oldest first, for checkpoints and metrics.</summary>
    public IReadOnlyList<LabeledPrediction> Export()
    {
        var items = new LabeledPrediction[Count];
        var oldest = Count < ring.Length ? 0 : next;
        for (var i = 0; i < Count; i++) items[i] = ring[(oldest + i) % ring.Length];
        return items;
    }

    /// <summary>Empties the window.</summary>
    public void Clear()
    {
        Array.Clear(ring);
        Count = 0;
        next = 0;
    }
}
