using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>Everything the drift monitor of one model needs to know; each concern has its own options class.</summary>
public sealed class MonitoringOptions
{
    /// <summary>The window of recent predictions.</summary>
    public DriftWindowOptions Window { get; set; } = new();

    /// <summary>When statistics count as drift.</summary>
    public DriftThresholdOptions Thresholds { get; set; } = new();

    /// <summary>When a categorical column counts as drifting (chi-squared and Jensen–Shannon on its categories).</summary>
    public CategoricalDriftOptions Categorical { get; set; } = new();

    /// <summary>Label joining and performance metrics.</summary>
    public LabelJoinOptions Labels { get; set; } = new();

    /// <summary>The ADWIN detector on the loss.</summary>
    public AdwinOptions Adwin { get; set; } = new();

    /// <summary>The Page–Hinkley detector on the loss.</summary>
    public PageHinkleyOptions PageHinkley { get; set; } = new();

    /// <summary>Performance estimated from the model's probabilities, without labels (binary classifiers).</summary>
    public PerformanceEstimationOptions Estimation { get; set; } = new();

    /// <summary>Alert deduplication.</summary>
    public AlertOptions Alerts { get; set; } = new();

    /// <summary>
    /// Per model name, an operator's override of the column its predictions are segmented by (drift per segment, fairness
    /// summary). It wins over the segment column the version's training policy named (<c>monitoring.segment</c>, recorded
    /// in its manifest); without it, that one is used with the window defaults of <see cref="SegmentOptions"/>. None by default.
    /// </summary>
    public Dictionary<string, SegmentOptions> Segments { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every problem with these options (data annotations of each part, and the rules that span fields); empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, part) in new (string, object)[]
                 { (nameof(Window), Window), (nameof(Thresholds), Thresholds), (nameof(Categorical), Categorical), (nameof(Labels), Labels), (nameof(Adwin), Adwin), (nameof(PageHinkley), PageHinkley), (nameof(Estimation), Estimation), (nameof(Alerts), Alerts) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(part, new ValidationContext(part), results, validateAllProperties: true);
            errors.AddRange(results.Select(r => $"{name}: {r.ErrorMessage}"));
        }
        errors.AddRange(CrossFieldRules());
        return errors;
    }

    /// <summary>The rules that span fields (data annotations check each field alone).</summary>
    public IEnumerable<string> CrossFieldRules()
    {
        var errors = new List<string>();
        if (Window.EvaluationStride > Window.Size) errors.Add("Window: the evaluation stride cannot exceed the window size (records would go unexamined).");
        if (Thresholds.PsiCritical < Thresholds.PsiWarning) errors.Add("Thresholds: PSI critical must be at least PSI warning.");
        if (Thresholds.JensenShannonCritical < Thresholds.JensenShannonWarning) errors.Add("Thresholds: Jensen-Shannon critical must be at least its warning.");
        if (Thresholds.NormalizedWassersteinCritical < Thresholds.NormalizedWassersteinWarning) errors.Add("Thresholds: Wasserstein critical must be at least its warning.");
        if (Thresholds.KsPValueCritical > Thresholds.KsPValueWarning) errors.Add("Thresholds: the KS critical p-value must not exceed the warning p-value.");
        if (Categorical.ChiSquaredPValueCritical > Categorical.ChiSquaredPValueWarning) errors.Add("Categorical: the chi-squared critical p-value must not exceed the warning p-value.");
        if (Categorical.JensenShannonCritical < Categorical.JensenShannonWarning) errors.Add("Categorical: Jensen-Shannon critical must be at least its warning.");
        if (Estimation.AccuracyDropCritical < Estimation.AccuracyDropWarning) errors.Add("Estimation: the critical accuracy drop must be at least the warning drop.");
        if (Labels.Expiry <= TimeSpan.Zero) errors.Add("Labels: the expiry must be positive.");
        if (Alerts.QuietPeriod < TimeSpan.Zero) errors.Add("Alerts: the quiet period cannot be negative.");
        // Startup validation reaches no further than this class's own fields: each model's segment options are checked here.
        foreach (var (model, segment) in Segments)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(segment, new ValidationContext(segment), results, validateAllProperties: true);
            errors.AddRange(results.Select(r => $"Segments:{model}: {r.ErrorMessage}"));
            errors.AddRange(segment.CrossFieldRules().Select(e => $"Segments:{model}: {e}"));
        }
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when the options are invalid.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid monitoring options: " + string.Join("; ", errors));
    }
}
