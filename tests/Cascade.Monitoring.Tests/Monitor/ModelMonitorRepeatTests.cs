using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Monitor;

/// <summary>
/// A fixed set of entities scored again and again with unchanged inputs (the demo's prediction load once ingestion
/// stops; production re-scoring): the drift window measures the population, not how often each member is scored.
/// </summary>
public class ModelMonitorRepeatTests
{
    private static readonly SyntheticModel.Scenario Stationary = new();

    private static ModelMonitor Watching(MonitoringOptions? options = null)
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, options ?? new MonitoringOptions());
        monitor.Activate(1, SyntheticModel.Profile(Stationary), ModelTask.BinaryClassification).Should().BeTrue();
        return monitor;
    }

    /// <summary>Entities whose inputs were drawn once from the training distribution and no longer change.</summary>
    private static float[][] FrozenEntities(int count, int seed)
    {
        var draw = new Draw(seed);
        return Enumerable.Range(0, count).Select(_ => SyntheticModel.DrawFeatures(draw, Stationary)).ToArray();
    }

    private static PredictionRecord Scoring(float[][] entities, int entity, long offset) =>
        new($"p{offset}", SyntheticModel.Name, 1, $"device-{entity}", SyntheticModel.Start.AddSeconds(offset), offset,
            entities[entity], new[] { SyntheticModel.Predict(entities[entity]) });

    [Fact]
    public void Rescoring_unchanged_entities_fills_the_window_with_each_entity_once_and_raises_nothing()
    {
        var monitor = Watching();
        var entities = FrozenEntities(500, seed: 31);
        var pick = new Random(32);
        var alerts = new List<DriftAlert>();

        for (var i = 0; i < 20_000; i++) alerts.AddRange(monitor.Observe(Scoring(entities, pick.Next(entities.Length), i)));

        alerts.Should().BeEmpty("500 draws from the training distribution are no drift, however often each is scored");
        var health = monitor.Health();
        health.Counters.PredictionsSeen.Should().Be(20_000);
        health.Counters.PredictionsRepeated.Should().BeGreaterThan(15_000);
        health.WindowCount.Should().Be(500);
        var inWindow = monitor.Export()!.Window.Select(r => r.EntityId).ToArray();
        inWindow.Should().OnlyHaveUniqueItems("an entity enters again only when its inputs change or its record has left");
        health.Counters.Evaluations.Should().Be((health.Counters.PredictionsSeen - health.Counters.PredictionsRepeated - 500) / 100 + 1,
            "only records added to the window move it towards the next evaluation");
    }

    [Fact]
    public void With_repeats_kept_every_prediction_enters_the_window()
    {
        var options = new MonitoringOptions();
        options.Window.SkipRepeatedInputs = false;
        var monitor = Watching(options);
        var entities = FrozenEntities(50, seed: 33);

        for (var i = 0; i < 600; i++) monitor.Observe(Scoring(entities, i % entities.Length, i));

        var health = monitor.Health();
        health.Counters.PredictionsRepeated.Should().Be(0);
        health.WindowCount.Should().Be(500, "the raw request stream fills the window however few entities it scores");
    }

    [Fact]
    public void An_entity_whose_inputs_change_enters_the_window_again_so_drift_is_still_seen()
    {
        var monitor = Watching();
        var entities = FrozenEntities(500, seed: 33);
        var pick = new Random(34);
        long offset = 0;
        for (var i = 0; i < 3_000; i++) monitor.Observe(Scoring(entities, pick.Next(entities.Length), offset++));

        // Every entity's income moves by two standard deviations: each re-scored entity is a new member.
        foreach (var x in entities) x[1] += 4;
        var alerts = new List<DriftAlert>();
        for (var i = 0; i < 1_000; i++) alerts.AddRange(monitor.Observe(Scoring(entities, pick.Next(entities.Length), offset++)));

        alerts.Should().Contain(a => a.Kind == DriftKind.FeatureDrift && a.TopFeatures[0].Feature == "income");
    }

    [Fact]
    public void A_repeated_prediction_still_waits_for_its_label()
    {
        var monitor = Watching();
        float[] x = [0, 5, 1, 0, 5];
        var t0 = SyntheticModel.Start;
        monitor.Observe(new PredictionRecord("a", SyntheticModel.Name, 1, "alice", t0, 1, x, new[] { 0.9f }));
        monitor.Observe(new PredictionRecord("b", SyntheticModel.Name, 1, "alice", t0.AddMinutes(1), 2, x, new[] { 0.9f }));

        monitor.Observe(new LabelRecord(SyntheticModel.Name, "b", null, t0.AddMinutes(2), 1));

        var health = monitor.Health();
        health.WindowCount.Should().Be(1);
        health.Counters.PredictionsRepeated.Should().Be(1);
        health.Counters.LabelsJoined.Should().Be(1);
        health.PendingLabels.Should().Be(1, "the first prediction still waits");
    }

    [Fact]
    public void A_checkpoint_remembers_which_entities_the_window_holds()
    {
        var options = new MonitoringOptions();
        var original = Watching(options);
        var entities = FrozenEntities(50, seed: 35);
        for (var i = 0; i < 50; i++) original.Observe(Scoring(entities, i, i));

        var json = JsonSerializer.Serialize(original.Export(), new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });
        var restored = new ModelMonitor(SyntheticModel.Name, options);
        restored.Import(JsonSerializer.Deserialize<MonitorState>(json, new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals })!,
            SyntheticModel.Profile(Stationary));
        restored.Observe(Scoring(entities, 7, 50));

        restored.Health().WindowCount.Should().Be(50);
        restored.Health().Counters.PredictionsRepeated.Should().Be(1);
    }
}
