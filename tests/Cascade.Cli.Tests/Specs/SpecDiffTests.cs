using Cascade.Cli.Specs.Apply;
using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Yaml;

namespace Cascade.Cli.Tests.Specs;

public sealed class SpecDiffTests
{
    private static SpecObject Dataset(string columns, string extra = "") => SpecLoader.LoadText($$"""
        apiVersion: cascade/v1
        kind: Dataset
        metadata: {name: d}
        spec:
          entity_column: e
          event_time_column: t
        {{extra}}
          columns:
        {{columns}}
        """, "test.yaml").Single();

    private static SpecObject View(string spec) => SpecLoader.LoadText($"apiVersion: cascade/v1\nkind: FeatureView\nmetadata: {{name: v}}\nspec: {spec}\n", "test.yaml").Single();

    private const string TwoColumns = "    - {name: a, type: float64}\n    - {name: b, type: int64, required: true}";

    [Fact]
    public void Defaults_written_out_or_left_out_are_the_same_spec()
    {
        var terse = Dataset(TwoColumns);
        var explicitDefaults = Dataset("    - {name: a, type: float64, required: false, sensitive: false}\n    - {name: b, type: int64, required: true}", "  non_finite: reject\n  max_record_bytes: 0\n  partitions: 0");

        SpecDiff.Compare(terse.Spec, explicitDefaults.Spec).Should().BeEmpty();
        PlanDecision.Decide(explicitDefaults, terse).Action.Should().Be(PlanAction.Unchanged);
    }

    [Fact]
    public void Columns_are_matched_by_name_so_their_order_is_no_change()
    {
        var reordered = Dataset("    - {name: b, type: int64, required: true}\n    - {name: a, type: float64}");

        SpecDiff.Compare(Dataset(TwoColumns).Spec, reordered.Spec).Should().BeEmpty();
    }

    [Fact]
    public void A_changed_column_type_an_added_column_and_a_new_flag_are_each_named()
    {
        var changed = Dataset("    - {name: a, type: string, sensitive: true}\n    - {name: b, type: int64, required: true}\n    - {name: c, type: bool}", "  non_finite: as_missing");

        var changes = SpecDiff.Compare(Dataset(TwoColumns).Spec, changed.Spec).Select(c => c.ToString());

        changes.Should().BeEquivalentTo(
            "non_finite: reject → as_missing",
            "columns[a].type: float64 → string",
            "columns[a].sensitive: false → true",
            "columns[c]: added {name: c, type: bool, required: false, sensitive: false}");
        PlanDecision.Decide(changed, Dataset(TwoColumns)).Action.Should().Be(PlanAction.Update);
    }

    [Fact]
    public void A_removed_column_is_named()
    {
        var fewer = Dataset("    - {name: b, type: int64, required: true}");

        SpecDiff.Compare(Dataset(TwoColumns).Spec, fewer.Spec).Select(c => c.ToString())
            .Should().Equal("columns[a]: removed {name: a, type: float64, required: false, sensitive: false}");
    }

    [Fact]
    public void The_order_of_passthrough_features_is_a_change_because_it_is_the_models_input_order()
    {
        var changes = SpecDiff.Compare(View("{dataset: d, passthrough: [a, b]}").Spec, View("{dataset: d, passthrough: [b, a]}").Spec);

        changes.Should().ContainSingle().Which.Should().Be(new FieldChange("passthrough", "[a, b]", "[b, a]"));
    }

    [Fact]
    public void Aggregations_and_durations_compare_by_position_and_value()
    {
        var before = View("{dataset: d, aggregations: [{column: a, function: mean, window: 60s}]}");
        var same = View("{dataset: d, aggregations: [{column: a, function: mean, window: 1m}]}");
        var after = View("{dataset: d, aggregations: [{column: a, function: mean, window: 5m}, {column: a, function: last}], ttl: 1h}");

        SpecDiff.Compare(before.Spec, same.Spec).Should().BeEmpty("60s and 1m are one duration");
        SpecDiff.Compare(before.Spec, after.Spec).Select(c => c.ToString()).Should().BeEquivalentTo(
            "aggregations[0].window: 1m → 5m",
            "aggregations[1]: added {column: a, function: last, window: 0s}",
            "ttl: 0s → 1h");
    }

    [Fact]
    public void An_object_the_host_does_not_hold_is_created()
    {
        var entry = PlanDecision.Decide(View("{dataset: d, passthrough: [a]}"), current: null);

        entry.Action.Should().Be(PlanAction.Create);
        entry.Changes.Should().BeEmpty();
    }

    [Fact]
    public void Views_and_policies_name_what_they_depend_on_and_apply_orders_dependencies_first()
    {
        var objects = SpecLoader.LoadText("""
            apiVersion: cascade/v1
            kind: TrafficPolicy
            metadata: {name: m}
            spec: {shadow: true}
            ---
            apiVersion: cascade/v1
            kind: TrainingPolicy
            metadata: {name: m}
            spec: {dataset: d, feature_view: v, objective: binary:logistic}
            ---
            apiVersion: cascade/v1
            kind: FeatureView
            metadata: {name: v}
            spec: {dataset: d, passthrough: [a]}
            ---
            apiVersion: cascade/v1
            kind: Dataset
            metadata: {name: d}
            spec: {entity_column: e, event_time_column: t, columns: [{name: a, type: float64}]}
            """, "test.yaml");

        SpecPlanner.ApplyOrder(objects).Select(o => o.Kind).Should().Equal(SpecKind.Dataset, SpecKind.FeatureView, SpecKind.TrainingPolicy, SpecKind.TrafficPolicy);
        SpecReferences.Of(objects[1]).Should().Equal((SpecKind.Dataset, "d"), (SpecKind.FeatureView, "v"));
        SpecReferences.Of(objects[2]).Should().Equal((SpecKind.Dataset, "d"));
        SpecReferences.Of(objects[0]).Should().BeEmpty();
        SpecReferences.Explain(objects[2], [(SpecKind.Dataset, "d")], objects).Should().Be("it needs Dataset/d, which is refused");
        SpecReferences.Explain(objects[2], [(SpecKind.Dataset, "elsewhere")], objects).Should().Be("it needs Dataset/elsewhere, which neither the host holds nor the files declare");
    }
}
