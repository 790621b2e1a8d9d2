using Cascade.Cli.Specs.Model;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>Reads the <c>spec:</c> of a <c>kind: TrainingPolicy</c> document (its <c>metadata.name</c> is the model).</summary>
internal static class TrainingPolicyReader
{
    public static readonly string[] Fields =
    [
        "dataset", "feature_view", "objective", "parameters", "rounds", "early_stopping_rounds", "resources", "triggers",
        "validation_fraction", "holdout_fraction", "max_training_rows", "num_class", "trainer", "monitoring",
    ];

    public static readonly string[] ResourceFields = ["accelerator", "cpu_cores"];

    public static readonly string[] TriggerFields = ["every_new_labeled_rows", "on_drift", "schedule", "debounce", "cooldown"];

    public static readonly string[] MonitoringFields = ["segment"];

    public static readonly string[] SegmentFields = ["column", "bins", "bin_count", "max_segments"];

    public static TrainingPolicySpecification? Read(YamlNode node, SpecReadContext context)
    {
        if (MappingReader.Open(node, "spec", Fields, context) is not { } spec) return null;
        return new TrainingPolicySpecification(
            spec.String("dataset", required: true, hint: "the dataset the model learns from") ?? "",
            spec.String("feature_view", required: true, hint: "the feature view that gives the model its inputs") ?? "",
            spec.String("objective", required: true, hint: "binary:logistic, reg:squarederror or multi:softprob") ?? "",
            spec.Texts("parameters"),
            spec.Int("rounds"),
            spec.Int("early_stopping_rounds"),
            Resources(spec.Mapping("resources", ResourceFields)),
            Triggers(spec.Mapping("triggers", TriggerFields)),
            spec.Number("validation_fraction"),
            spec.Number("holdout_fraction"),
            spec.Count("max_training_rows"),
            spec.Int("num_class"),
            spec.String("trainer", required: false, hint: "xgboost, mlnet-fasttree or mlnet-lightgbm") ?? "",
            Segment(spec.Mapping("monitoring", MonitoringFields)?.Mapping("segment", SegmentFields, required: true)));
    }

    // The rules that need the dataset's schema (a numeric column needs bins or bin_count) are Training's, checked when the policy is put.
    private static SegmentSpecification? Segment(MappingReader? segment) =>
        segment is null ? null : new SegmentSpecification(
            segment.String("column", required: true, hint: "the dataset column whose groups Monitoring watches apart") ?? "",
            segment.Numbers("bins"), segment.Int("bin_count"), segment.Int("max_segments"));

    private static ResourceSpecification Resources(MappingReader? resources) =>
        resources is null ? ResourceSpecification.None : new ResourceSpecification(resources.Choice<Accelerator>("accelerator"), resources.Int("cpu_cores"));

    private static TriggerSpecification Triggers(MappingReader? triggers) =>
        triggers is null ? TriggerSpecification.None : new TriggerSpecification(
            triggers.Count("every_new_labeled_rows"), triggers.Bool("on_drift"), triggers.Duration("schedule"), triggers.Duration("debounce"), triggers.Duration("cooldown"));
}
