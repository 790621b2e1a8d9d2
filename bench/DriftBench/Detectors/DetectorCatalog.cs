using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Detectors;
using Cascade.Monitoring.Options;
using Microsoft.Extensions.Configuration;

namespace Cascade.Bench.Drift.Detectors;

/// <summary>The detectors the benchmark compares. Add a calibrated variant of the monitor to <see cref="Variants"/>.</summary>
public static class DetectorCatalog
{
    /// <summary>The classic baselines with their standard settings: ADWIN δ = 0.002 (MOA, river), Page–Hinkley with river's
    /// and scikit-multiflow's min_instances = 30, δ = 0.005, λ = 50, α = 1 − 0.0001.</summary>
    public static IReadOnlyList<IBenchDetector> Baselines() =>
    [
        new ErrorStreamDetector("adwin", "ADWIN (δ = 0.002, clock 32) on the 0/1 errors of an incremental Naive Bayes; learner and detector reset on a detection",
            () => new Adwin(new AdwinOptions { Delta = 0.002 })),
        new ErrorStreamDetector("page-hinkley", "Page–Hinkley (min_instances 30, δ 0.005, λ 50, α 0.9999) on the same error stream",
            () => new PageHinkley(new PageHinkleyOptions { MinInstances = 30, Delta = 0.005, Threshold = 50, Alpha = 1 - 0.0001 })),
    ];

    /// <summary>Cascade's monitor as shipped (default options: calibrated thresholds), counted three ways, and the monitor
    /// with the fixed thresholds and the agreement rule it had before calibration, for comparison.</summary>
    public static IReadOnlyList<CascadeVariant> Variants() =>
    [
        new("cascade", "ModelMonitor with default options; features, prediction and labels; any alert at WARNING or above",
            () => new MonitoringOptions(), Labels: true, AlertSeverity.Warning),
        new("cascade-critical", "the same, counting only CRITICAL alerts (what triggers retraining by default)",
            () => new MonitoringOptions(), Labels: true, AlertSeverity.Critical),
        new("cascade-unlabelled", "the same without labels: feature and prediction drift only, WARNING or above",
            () => new MonitoringOptions(), Labels: false, AlertSeverity.Warning),
        new("cascade-fixed", "ModelMonitor with the fixed thresholds and two agreeing statistics (before calibration); any alert at WARNING or above",
            () => Fixed(), Labels: true, AlertSeverity.Warning),
        new("cascade-fixed-any", "the same, counting INFO alerts too (every alert a console receives)",
            () => Fixed(), Labels: true, AlertSeverity.Info),
    ];

    /// <summary>The options before calibration: fixed thresholds, two agreeing statistics, and no performance estimate (added with calibration).</summary>
    private static MonitoringOptions Fixed() =>
        new() { Thresholds = { Calibrate = false, MinAgreeingStatistics = 2 }, Estimation = { Enabled = false } };

    /// <summary>
    /// A variant whose options come from a JSON file shaped like the <c>Cascade:Monitoring:Drift</c> section
    /// (<c>{"Window": {"Size": 1000}, "Thresholds": {"PsiWarning": 0.2}}</c>), with labels, counting WARNING or above.
    /// </summary>
    public static CascadeVariant FromJson(string name, string path)
    {
        using var file = File.OpenRead(path);
        return FromJson(name, file, path);
    }

    /// <summary>The same from a JSON stream; <paramref name="source"/> names it in the description.</summary>
    public static CascadeVariant FromJson(string name, Stream json, string source)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(json).Build();
        MonitoringOptions Load()
        {
            var options = new MonitoringOptions();
            configuration.Bind(options);
            options.ThrowIfInvalid();
            return options;
        }
        Load(); // fail now, not in the middle of the run
        return new CascadeVariant(name, $"ModelMonitor with the options of {source}; features, prediction and labels; WARNING or above", Load, Labels: true, AlertSeverity.Warning);
    }
}
