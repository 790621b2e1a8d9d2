using Cascade.Monitoring.Domain.Alerts;

namespace Cascade.Monitoring.Tests.Alerts;

public class AlertDeduplicatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Key = "churn/v1/feature-drift";

    [Fact]
    public void The_same_ongoing_drift_alerts_once_within_the_quiet_period()
    {
        var dedup = new AlertDeduplicator(TimeSpan.FromHours(1));

        dedup.TryRecord(Key, AlertSeverity.Warning, T0).Should().BeTrue();
        dedup.TryRecord(Key, AlertSeverity.Warning, T0.AddMinutes(10)).Should().BeFalse();
        dedup.TryRecord(Key, AlertSeverity.Info, T0.AddMinutes(20)).Should().BeFalse("a de-escalation is not news");
    }

    [Fact]
    public void An_escalation_alerts_at_once_and_a_later_de_escalation_does_not()
    {
        var dedup = new AlertDeduplicator(TimeSpan.FromHours(1));
        dedup.TryRecord(Key, AlertSeverity.Info, T0);

        dedup.TryRecord(Key, AlertSeverity.Warning, T0.AddMinutes(1)).Should().BeTrue();
        dedup.TryRecord(Key, AlertSeverity.Critical, T0.AddMinutes(2)).Should().BeTrue();
        dedup.TryRecord(Key, AlertSeverity.Warning, T0.AddMinutes(3)).Should().BeFalse();
        dedup.TryRecord(Key, AlertSeverity.Critical, T0.AddMinutes(4)).Should().BeFalse("the key remembers its highest severity");
    }

    [Fact]
    public void After_the_quiet_period_the_same_drift_alerts_again()
    {
        var dedup = new AlertDeduplicator(TimeSpan.FromHours(1));
        dedup.TryRecord(Key, AlertSeverity.Critical, T0);

        dedup.TryRecord(Key, AlertSeverity.Critical, T0.AddMinutes(59)).Should().BeFalse();
        dedup.TryRecord(Key, AlertSeverity.Warning, T0.AddMinutes(60)).Should().BeTrue();
    }

    [Fact]
    public void Keys_are_independent_and_a_clear_forgets_them_all()
    {
        var dedup = new AlertDeduplicator(TimeSpan.FromHours(1));
        dedup.TryRecord(Key, AlertSeverity.Warning, T0);

        dedup.TryRecord("churn/v1/performance", AlertSeverity.Warning, T0).Should().BeTrue();
        dedup.Clear();
        dedup.TryRecord(Key, AlertSeverity.Warning, T0.AddMinutes(1)).Should().BeTrue();
        dedup.TryRecord(Key, AlertSeverity.None, T0.AddDays(1)).Should().BeFalse("no drift, no alert");
    }

    [Fact]
    public void Dedup_keys_name_model_version_and_kind()
    {
        AlertDeduplicator.KeyFor("churn", 3, DriftKind.PredictionDrift).Should().Be("churn/v3/prediction-drift");
        AlertDeduplicator.KeyFor("churn", 3, DriftKind.PerformanceDegradation).Should().Be("churn/v3/performance");
    }

    [Fact]
    public void An_exported_memory_imports_with_the_same_decisions()
    {
        var dedup = new AlertDeduplicator(TimeSpan.FromHours(1));
        dedup.TryRecord(Key, AlertSeverity.Warning, T0);
        var restored = new AlertDeduplicator(TimeSpan.FromHours(1));

        restored.Import(dedup.Export());

        restored.TryRecord(Key, AlertSeverity.Warning, T0.AddMinutes(5)).Should().BeFalse();
        restored.TryRecord(Key, AlertSeverity.Critical, T0.AddMinutes(5)).Should().BeTrue();
    }
}
