using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;

namespace Cascade.Monitoring.Tests.Fixtures;

/// <summary>
/// Feeds a monitor synthetic predictions, one a second, with each label arriving 20 predictions later: most by
/// prediction id, every tenth by entity and time (the entity's latest prediction at or before the label's time).
/// </summary>
internal sealed class TrafficStream(ModelMonitor monitor, int seed, int version = 1)
{
    private const int LabelDelay = 20;
    private readonly Draw draw = new(seed);
    private readonly Queue<(long Index, string Entity, DateTimeOffset Time, double Label)> labels = new();

    public long Next { get; private set; }

    public int Version { get; set; } = version;

    public List<DriftAlert> Alerts { get; } = [];

    /// <summary>Sends <paramref name="count"/> predictions (and the labels that fall due); returns the alerts they raised.</summary>
    public List<DriftAlert> Send(int count, SyntheticModel.Scenario scenario)
    {
        var raised = new List<DriftAlert>();
        for (var k = 0; k < count; k++)
        {
            var i = Next++;
            var x = SyntheticModel.DrawFeatures(draw, scenario);
            var p = SyntheticModel.Predict(x);
            var prediction = SyntheticModel.Prediction(i, Version, x, p);
            raised.AddRange(monitor.Observe(prediction));
            labels.Enqueue((i, prediction.EntityId!, prediction.Time, SyntheticModel.Label(draw, x, p, scenario)));
            while (labels.Count > LabelDelay)
            {
                var (index, entity, time, label) = labels.Dequeue();
                var record = index % 10 == 0
                    ? new LabelRecord(SyntheticModel.Name, null, entity, time.AddMilliseconds(500), label)
                    : new LabelRecord(SyntheticModel.Name, $"p{index}", null, time.AddSeconds(LabelDelay), label);
                raised.AddRange(monitor.Observe(record));
            }
        }
        Alerts.AddRange(raised);
        return raised;
    }
}
