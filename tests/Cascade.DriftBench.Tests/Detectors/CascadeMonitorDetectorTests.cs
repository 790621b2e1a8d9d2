using Cascade.Bench.Drift.Detectors;
using Cascade.Bench.Drift.Generators;
using Cascade.Bench.Drift.Models;
using Cascade.Bench.Drift.Streams;

namespace Cascade.DriftBench.Tests.Detectors;

/// <summary>The benchmark's driver of Cascade's ModelMonitor.</summary>
public class CascadeMonitorDetectorTests
{
    private static CascadeMonitorDetector Variant(string name) => new(DetectorCatalog.Variants().Single(v => v.Name == name));

    private static MemoryStream Json(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    private static LabelledStream Stream(IConceptGenerator generator, int length = 30_000, int spacing = 15_000) =>
        LabelledStream.Generate(new StreamSpec(generator.Name, _ => generator, DriftSchedule.Every(length, spacing, 0)), 1);

    [Fact]
    public void With_labels_the_monitor_detects_a_reversal_of_the_concept_through_the_loss()
    {
        var run = Variant("cascade").Run(Stream(new Sine1()));

        run.Detections.Should().Contain(d => d >= 15_000 && d < 16_000);
        run.Instances.Should().BeLessThan(30_000 - CascadeMonitorDetector.ReferenceSize, "the reference windows are not monitored");
    }

    [Fact]
    public void Without_labels_a_change_of_the_labelling_alone_is_invisible()
    {
        // SEA's features keep their distribution across concepts, and so do a frozen model's predictions.
        Variant("cascade-unlabelled").Run(Stream(new Sea())).Detections.Should().NotContain(d => d >= 15_000 && d < 16_000);
    }

    [Fact]
    public void Without_labels_an_LED_drift_moves_the_features_and_is_detected()
    {
        var run = Variant("cascade-unlabelled").Run(Stream(new Led()));

        run.Detections.Should().Contain(d => d >= 15_000 && d < 16_000);
    }

    [Fact]
    public void After_a_detection_the_next_version_is_trained_on_the_following_instances_before_monitoring_resumes()
    {
        var run = Variant("cascade").Run(Stream(new Sine1(), length: 40_000, spacing: 10_000));

        run.Detections.Should().HaveCountGreaterThanOrEqualTo(3);
        run.Detections.Zip(run.Detections.Skip(1), (a, b) => b - a).Should().OnlyContain(gap => gap > CascadeMonitorDetector.ReferenceSize);
        run.Detections[0].Should().BeGreaterThanOrEqualTo(CascadeMonitorDetector.ReferenceSize);
    }

    [Fact]
    public void The_monitor_can_watch_an_XGBoost_model_trained_as_Cascade_trains_them()
    {
        var run = new CascadeMonitorDetector(DetectorCatalog.Variants().Single(v => v.Name == "cascade"), ModelKind.XGBoost).Run(Stream(new Sine1()));

        run.Detections.Should().Contain(d => d >= 15_000 && d < 16_000);
        run.Causes.Should().Contain(c => c.StartsWith("loss:"));
    }

    [Fact]
    public void A_variant_reads_its_options_from_json_like_the_services_configuration()
    {
        var json = Json("""{ "Window": { "Size": 1000, "EvaluationStride": 250 }, "Thresholds": { "MinAgreeingStatistics": 3 }, "Alerts": { "QuietPeriod": "00:10:00" } }""");

        var variant = DetectorCatalog.FromJson("calibrated", json, "calibrated.json");
        var options = variant.Options();

        variant.Name.Should().Be("calibrated");
        options.Window.Size.Should().Be(1000);
        options.Window.EvaluationStride.Should().Be(250);
        options.Thresholds.MinAgreeingStatistics.Should().Be(3);
        options.Alerts.QuietPeriod.Should().Be(TimeSpan.FromMinutes(10));
        options.Thresholds.PsiWarning.Should().Be(0.1, "what the file leaves out keeps its default");
    }

    [Fact]
    public void Invalid_options_in_json_fail_before_the_run()
    {
        var load = () => DetectorCatalog.FromJson("broken", Json("""{ "Window": { "Size": 100, "EvaluationStride": 500 } }"""), "broken.json");

        load.Should().Throw<ArgumentException>().WithMessage("*stride*");
    }
}
