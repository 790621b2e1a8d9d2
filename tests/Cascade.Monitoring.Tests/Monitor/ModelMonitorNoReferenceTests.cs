using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Monitor;

/// <summary>A version whose artifact has no reference profile (imported without a sample): reported as "no reference", never failing.</summary>
public class ModelMonitorNoReferenceTests
{
    private static readonly SyntheticModel.Scenario Shifted = new(IncomeShift: 4);

    [Fact]
    public void A_version_without_reference_is_watched_counted_and_reported_as_no_reference()
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, new MonitoringOptions());
        monitor.ActivateWithoutReference(3, ModelTask.BinaryClassification).Should().BeTrue();

        var alerts = new TrafficStream(monitor, 5, version: 3).Send(1_500, Shifted);

        alerts.Should().BeEmpty("there is nothing to compare the traffic with");
        var health = monitor.Health();
        health.Version.Should().Be(3);
        health.Task.Should().Be(ModelTask.BinaryClassification);
        health.NoReferenceProfile.Should().BeTrue();
        health.Counters.PredictionsSeen.Should().Be(1_500);
        health.Counters.Evaluations.Should().Be(0);
        health.Features.Should().BeEmpty();
        monitor.Export().Should().BeNull("there is no window to checkpoint");
        monitor.ActivateWithoutReference(3, ModelTask.BinaryClassification).Should().BeFalse("a redelivered promotion changes nothing");
    }

    [Fact]
    public void Promoting_a_version_with_a_reference_afterwards_measures_drift_again()
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, new MonitoringOptions());
        monitor.ActivateWithoutReference(1, ModelTask.BinaryClassification);
        monitor.Activate(2, SyntheticModel.Profile(new SyntheticModel.Scenario()), ModelTask.BinaryClassification).Should().BeTrue();

        var alerts = new TrafficStream(monitor, 6, version: 2).Send(2_000, Shifted);

        monitor.Health().NoReferenceProfile.Should().BeFalse();
        alerts.Should().Contain(a => a.Version == 2, "v2 has a reference, and its traffic drifted from it");
    }
}
