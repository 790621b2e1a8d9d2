using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Monitor;

public class ModelMonitorsTests
{
    [Fact]
    public void Records_are_routed_to_their_models_monitor_and_unknown_models_report_no_health()
    {
        var monitors = new ModelMonitors(new MonitoringOptions());
        monitors.Activate("churn", 2, SyntheticModel.Profile(new()), ModelTask.BinaryClassification).Should().BeTrue();
        float[] x = [0, 5, 1, 0, 5];

        monitors.Observe(new PredictionRecord("a", "churn", 2, null, SyntheticModel.Start, 1, x, new[] { 0.5f }));
        monitors.Observe(new PredictionRecord("b", "fraud", 1, null, SyntheticModel.Start, 1, x, new[] { 0.5f }));
        monitors.Observe(new LabelRecord("churn", "a", null, SyntheticModel.Start.AddSeconds(1), 1));

        monitors.Models.Should().Equal("churn", "fraud");
        monitors.Health("churn")!.Counters.Should().Be(new MonitorCounters(PredictionsSeen: 1, LabelsJoined: 1));
        monitors.Health("fraud")!.Counters.PredictionsIgnored.Should().Be(1, "no version of fraud was promoted yet");
        monitors.Health("unknown").Should().BeNull();
    }
}
