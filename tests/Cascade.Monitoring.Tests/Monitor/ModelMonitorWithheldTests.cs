using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation.Categorical;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Monitor;

/// <summary>
/// Features the prediction log withholds (a sensitive one-hot <c>postcode</c> column and a sensitive numeric
/// <c>income</c>, beside a plain numeric <c>amount</c>): they are never measured, so however far they move no alert names
/// them or their categories, while the other features and the prediction are still judged.
/// </summary>
public class ModelMonitorWithheldTests
{
    private const string Model = "clinic";
    private static readonly CategoricalColumn Postcode = CategoricalColumn.Create("postcode", CategoricalEncoding.OneHot, ["75001", "69001", "13001"]);
    private static readonly string[] Names = ["amount", "income", .. Postcode.FeatureNames];
    private static readonly int[] Withheld = [1, 2, 3, 4];

    private static float[] Row(Draw draw, double amountMean, double incomeMean, string postcode)
    {
        var row = new float[Names.Length];
        row[0] = (float)draw.Normal(amountMean, 10);
        row[1] = (float)draw.Normal(incomeMean, 5_000);
        Postcode.Encode<float>(postcode, row.AsSpan(2, Postcode.Width));
        return row;
    }

    private static ReferenceProfile Profile()
    {
        var draw = new Draw(3);
        var rows = Enumerable.Range(0, 5_000).Select(i => Row(draw, 50, 40_000, i % 2 == 0 ? "75001" : "69001")).ToArray();
        var columns = Enumerable.Range(0, Names.Length).Select(c => (IReadOnlyList<float>)rows.Select(r => r[c]).ToArray()).ToArray();
        var table = new Cascade.Ml.Data.TabularData(rows.SelectMany(r => r).ToArray(), rows.Length, Names);
        return new ReferenceProfile
        {
            Features = Names.Select((name, c) => Profiler.Profile(name, columns[c])).ToArray(),
            Prediction = Profiler.Profile("prediction", Enumerable.Range(0, 5_000).Select(_ => (float)draw.Uniform()).ToArray()),
            Categorical = [ReferenceProfiler.Categories(table, Postcode)],
        };
    }

    /// <summary>Sends rows as the prediction log carries them: withheld features NaN and listed, unless <paramref name="withhold"/> is false.</summary>
    private static (ModelMonitor Monitor, Func<int, double, double, string?, bool, List<DriftAlert>> Send) Start()
    {
        var monitor = new ModelMonitor(Model, new MonitoringOptions());
        monitor.Activate(1, Profile(), ModelTask.BinaryClassification);
        var draw = new Draw(17);
        long next = 0;
        List<DriftAlert> Send(int count, double amount, double income, string? postcode, bool withhold)
        {
            var alerts = new List<DriftAlert>();
            for (var k = 0; k < count; k++, next++)
            {
                var row = Row(draw, amount, income, postcode ?? (next % 2 == 0 ? "75001" : "69001")); // null: the training mix
                if (withhold) foreach (var i in Withheld) row[i] = float.NaN;
                var time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(next);
                alerts.AddRange(monitor.Observe(new PredictionRecord($"p{next}", Model, 1, $"e{next % 50}", time, next, row, new[] { (float)draw.Uniform() }, withhold ? Withheld : default)));
            }
            return alerts;
        }
        return (monitor, Send);
    }

    [Fact]
    public void Withheld_features_that_move_far_raise_nothing_naming_them_while_a_plain_feature_still_alerts()
    {
        var (monitor, send) = Start();
        send(1_000, 50, 40_000, null, true).Should().BeEmpty();

        // Everything moves: income triples, every postcode is one the reference never saw much of, amount shifts.
        var alerts = send(1_500, 90, 120_000, "13001", true);

        var drift = alerts.Where(a => a.Kind == DriftKind.FeatureDrift).ToArray();
        drift.Should().NotBeEmpty("amount drifted and is still measured");
        drift.SelectMany(a => a.TopFeatures).Select(f => f.Feature).Should().OnlyContain(f => f == "amount");
        var events = alerts.Select(AlertMapping.ToEvent).ToArray();
        events.SelectMany(e => e.TopFeatures).SelectMany(f => f.Categories).Should().BeEmpty("no category of the postcode is named");
        events.Select(e => e.Summary).Should().OnlyContain(s => !s.Contains("postcode") && !s.Contains("income") && !s.Contains("13001"));
        var health = monitor.Health();
        health.Features.Select(f => f.Feature).Should().Equal("amount");
        health.WithheldFeatures.Should().BeEquivalentTo(["income", "postcode"]);
    }

    [Fact]
    public void The_same_shift_logged_in_the_clear_would_have_named_them()
    {
        // The control of the test above: without withholding, income and the postcode are what drifted most.
        var (_, send) = Start();
        send(1_000, 50, 40_000, null, false).Should().BeEmpty();

        var alerts = send(1_500, 90, 120_000, "13001", false);

        alerts.SelectMany(a => a.TopFeatures).Select(f => f.Feature).Should().Contain(["income", "postcode"]);
    }

    [Fact]
    public void Values_logged_before_a_column_became_sensitive_leave_the_window_and_its_checkpoint_at_once()
    {
        var (monitor, send) = Start();
        send(300, 50, 40_000, null, false);

        send(1, 50, 40_000, null, true);

        var state = monitor.Export()!;
        state.Window.Should().HaveCount(301);
        state.Window.Should().OnlyContain(r => r.Withheld != null && r.Withheld.SequenceEqual(Withheld));
        state.Window.SelectMany(r => Withheld.Select(i => r.Features[i])).Should().OnlyContain(v => float.IsNaN(v), "no raw income or postcode is kept");
        state.Window.Should().OnlyContain(r => !float.IsNaN(r.Features[0]), "amount is kept");

        var restored = new ModelMonitor(Model, new MonitoringOptions());
        restored.Import(state, Profile());
        restored.Export()!.Window.Should().BeEquivalentTo(state.Window, "withheld marks survive a checkpoint");
    }

    [Fact]
    public void A_feature_no_longer_withheld_is_measured_again_once_the_window_holds_none_of_its_withheld_records()
    {
        var (monitor, send) = Start();
        send(600, 50, 40_000, null, true);
        monitor.Health().WithheldFeatures.Should().BeEquivalentTo(["income", "postcode"]);

        var window = new MonitoringOptions().Window;
        send(window.Size + window.EvaluationStride, 50, 40_000, null, false); // a whole window in the clear, then an evaluation

        monitor.Health().WithheldFeatures.Should().BeEmpty();
        monitor.Health().Features.Select(f => f.Feature).Should().BeEquivalentTo(["amount", "income", "postcode"]);
    }

    [Fact]
    public void A_withheld_position_outside_the_vector_is_rejected()
    {
        var monitor = new ModelMonitor(Model, new MonitoringOptions());
        monitor.Activate(1, Profile(), ModelTask.BinaryClassification);

        monitor.Observe(new PredictionRecord("p", Model, 1, "e", DateTimeOffset.UnixEpoch, 1, new float[Names.Length], new[] { 0.5f }, new[] { Names.Length }));

        monitor.Health().Counters.PredictionsRejected.Should().Be(1);
    }
}
