using System.Collections.Concurrent;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Distributions;
using Cascade.Ml.Artifacts;
using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain;

/// <summary>
/// One <see cref="ModelMonitor"/> per model, created on first sight, so the event handlers stay one-liners:
/// promotions → <see cref="Activate"/>, predictions and labels → <c>Observe</c>, <c>GetModelHealth</c> → <see cref="Health"/>.
/// </summary>
public sealed class ModelMonitors(MonitoringOptions options)
{
    private readonly ConcurrentDictionary<string, ModelMonitor> monitors = new(StringComparer.Ordinal);

    /// <summary>The models seen so far, in name order.</summary>
    public IReadOnlyList<string> Models => monitors.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The monitor of <paramref name="model"/>, created when first asked for.</summary>
    public ModelMonitor For(string model) => monitors.GetOrAdd(model, name => new ModelMonitor(name, options));

    /// <summary>A version was promoted or rolled back to: watch it against its reference profile (and by its segment column, when it has one).</summary>
    public bool Activate(string model, int version, ReferenceProfile profile, ModelTask task, ModelSegment? segment = null) => For(model).Activate(version, profile, task, segment);

    /// <summary>Routes a prediction to its model's monitor.</summary>
    public IReadOnlyList<DriftAlert> Observe(in PredictionRecord prediction) => For(prediction.Model).Observe(prediction);

    /// <summary>Routes a label to its model's monitor.</summary>
    public IReadOnlyList<DriftAlert> Observe(LabelRecord label) => For(label.Model).Observe(label);

    /// <summary>The health of <paramref name="model"/>; null when the model was never seen.</summary>
    public ModelHealth? Health(string model) => monitors.TryGetValue(model, out var monitor) ? monitor.Health() : null;

    /// <summary>The current window of <paramref name="model"/> against its reference (see <see cref="ModelMonitor.Distribution"/>).</summary>
    public DistributionAnswer Distribution(string model, int version, string? feature) =>
        monitors.TryGetValue(model, out var monitor)
            ? monitor.Distribution(version, feature)
            : DistributionAnswer.Refused(DistributionProblem.ModelNotWatched, $"Model '{model}' is not monitored: no version of it has been promoted yet.");
}
