using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;
using Cascade.Monitoring.Tests.Monitor;

namespace Cascade.Monitoring.Tests.Segments;

/// <summary>
/// A categorical column segments by its categories, read back from the encoded features with the vocabulary the
/// reference profile carries: the most frequent training categories get a segment each, the rest share <c>other</c>.
/// </summary>
public sealed class ModelMonitorCategoricalSegmentTests
{
    [Fact]
    public void A_categorical_column_segments_by_its_most_frequent_categories_and_the_rest_is_other()
    {
        var options = new MonitoringOptions { Segments = { [ModelMonitorCategoricalTests.Model] = new SegmentOptions { Column = "city", MaxSegments = 2 } } };
        var monitor = new ModelMonitor(ModelMonitorCategoricalTests.Model, options);
        monitor.Activate(1, ModelMonitorCategoricalTests.Profile(), ModelTask.BinaryClassification);
        var draw = new Draw(5);
        var sent = new List<(int? City, float P)>();
        for (var i = 0; i < 800; i++)
        {
            var row = ModelMonitorCategoricalTests.Row(draw, ModelMonitorCategoricalTests.Training);
            var p = (float)draw.Uniform();
            var code = ModelMonitorCategoricalTests.City.Decode<float>(row.AsSpan(1, ModelMonitorCategoricalTests.City.Width));
            sent.Add((code < 0 ? null : code, p));
            monitor.Observe(new PredictionRecord($"p{i}", ModelMonitorCategoricalTests.Model, 1, $"e{i}", SyntheticModel.Start.AddSeconds(i), i, row, new[] { p }));
        }

        var fairness = monitor.Health().Fairness!;

        // Training: paris 50%, lyon 30%, nice 15%, missing 5%: paris and lyon get segments, nice and missing are "other".
        var window = sent.TakeLast(500).ToArray();
        (string Segment, int Count, double PositiveRate) Expected(string name, Func<int?, bool> member)
        {
            var members = window.Where(s => member(s.City)).ToArray();
            return (name, members.Length, members.Count(s => s.P >= 0.5f) / (double)members.Length);
        }
        fairness.Column.Should().Be("city");
        fairness.Segments.Select(s => (s.Segment, s.Count, s.PositiveRate)).Should().Equal(
            Expected("paris", c => c == 0), Expected("lyon", c => c == 1), Expected("other", c => c is null or 2));
        fairness.Overall.Count.Should().Be(500);
    }
}
