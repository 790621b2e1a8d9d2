using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Tests.Options;

public class MonitoringOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_values_and_valid()
    {
        var options = new MonitoringOptions();

        options.Validate().Should().BeEmpty();
        options.Window.Size.Should().Be(500);
        options.Window.EvaluationStride.Should().Be(100);
        options.Thresholds.PsiWarning.Should().Be(0.1);
        options.Thresholds.PsiCritical.Should().Be(0.25);
        options.Thresholds.KsPValueWarning.Should().Be(1e-6);
        options.Thresholds.JensenShannonWarning.Should().Be(0.15);
        options.Thresholds.NormalizedWassersteinWarning.Should().Be(0.35);
        options.Thresholds.MinAgreeingStatistics.Should().Be(1);
        options.Thresholds.Calibrate.Should().BeTrue();
        options.Thresholds.ExpectedWindowsBetweenFalseAlarms.Should().Be(10_000);
        options.Thresholds.CalibrationResamples.Should().Be(1_000);
        options.Adwin.Delta.Should().Be(0.002);
        options.Adwin.Clock.Should().Be(32);
        options.PageHinkley.Threshold.Should().Be(50);
        options.PageHinkley.Delta.Should().Be(0.005);
        options.Labels.PendingCapacity.Should().Be(100_000);
        options.Labels.Expiry.Should().Be(TimeSpan.FromDays(1));
        options.Alerts.QuietPeriod.Should().Be(TimeSpan.FromHours(1));
        MonitoringServiceOptions.SectionName.Should().Be("Cascade:Monitoring");
    }

    [Fact]
    public void Categorical_drift_defaults_are_the_documented_values_and_their_rules_are_checked()
    {
        var defaults = new MonitoringOptions().Categorical;
        defaults.ChiSquaredPValueWarning.Should().Be(1e-6);
        defaults.ChiSquaredPValueCritical.Should().Be(1e-12);
        defaults.JensenShannonWarning.Should().Be(0.15);
        defaults.JensenShannonCritical.Should().Be(0.25);
        defaults.MinExpectedCount.Should().Be(5);
        defaults.ReportedCategories.Should().Be(3);

        var errors = new MonitoringOptions { Categorical = { ChiSquaredPValueWarning = 1e-9, ChiSquaredPValueCritical = 1e-3, JensenShannonWarning = 0.3, JensenShannonCritical = 0.2, ReportedCategories = 0 } }.Validate();

        errors.Should().Contain(e => e.Contains("chi-squared critical p-value"));
        errors.Should().Contain(e => e.StartsWith("Categorical: Jensen-Shannon critical"));
        errors.Should().Contain(e => e.StartsWith("Categorical:") && e.Contains("ReportedCategories"));
    }

    [Fact]
    public void Invalid_values_and_inconsistent_thresholds_are_all_reported()
    {
        var options = new MonitoringOptions
        {
            Window = { Size = 10, EvaluationStride = 1_000 },
            Thresholds = { PsiWarning = 0.3, PsiCritical = 0.2, KsPValueWarning = 1e-9, KsPValueCritical = 1e-3 },
            Adwin = { Delta = 0.9 },
        };

        var errors = options.Validate();

        errors.Should().Contain(e => e.StartsWith("Window:") && e.Contains("Size"));
        errors.Should().Contain(e => e.Contains("stride"));
        errors.Should().Contain(e => e.Contains("PSI critical"));
        errors.Should().Contain(e => e.Contains("KS critical"));
        errors.Should().Contain(e => e.StartsWith("Adwin:"));
        options.Invoking(o => o.ThrowIfInvalid()).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_false_alarm_budget_below_one_window_or_too_few_resamples_are_refused()
    {
        var errors = new MonitoringOptions { Thresholds = { ExpectedWindowsBetweenFalseAlarms = 0.5, CalibrationResamples = 10 } }.Validate();

        errors.Should().Contain(e => e.StartsWith("Thresholds:") && e.Contains("ExpectedWindowsBetweenFalseAlarms"));
        errors.Should().Contain(e => e.StartsWith("Thresholds:") && e.Contains("CalibrationResamples"));
    }
}
