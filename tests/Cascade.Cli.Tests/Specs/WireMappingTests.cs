using Cascade.Cli.Specs.Apply;
using Cascade.Cli.Demo;
using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Wire;
using Cascade.Cli.Specs.Yaml;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Training.V1;
using Google.Protobuf.WellKnownTypes;
using ColumnPrivacy = Cascade.Contracts.Common.V1.ColumnPrivacy;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Cli.Tests.Specs;

public sealed class WireMappingTests
{
    [Fact]
    public void The_demo_spec_file_gives_exactly_the_protos_the_demo_built_by_hand()
    {
        // What DemoDataset.cs built in code before demo.yaml existed: the demo must run exactly as it did.
        var dataset = new DatasetSpec { Name = "demo-sensors", EntityColumn = "device_id", EventTimeColumn = "event_time", LabelColumn = "label", NonFinite = NonFinitePolicy.Reject };
        foreach (var feature in SyntheticStream.FeatureNames) dataset.Columns.Add(new ColumnSpec { Name = feature, Type = ValueType.Float64, Required = true });
        var view = new FeatureViewSpec { Name = "demo-sensors-features", Dataset = "demo-sensors" };
        view.Passthrough.Add(SyntheticStream.FeatureNames);
        view.Aggregations.Add(new Aggregation { Column = "x0", Function = AggregationFunction.Mean, Window = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) });
        view.Aggregations.Add(new Aggregation { Column = "x0", Function = AggregationFunction.Count, Window = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) });
        var policy = new TrainingPolicySpec
        {
            Model = "demo-model", Dataset = "demo-sensors", FeatureView = "demo-sensors-features", Objective = "binary:logistic",
            Parameters = { ["max_depth"] = "4", ["eta"] = "0.2" }, Rounds = 60, ValidationFraction = 0.1, HoldoutFraction = 0.2, MaxTrainingRows = 10_000,
            Triggers = new Triggers { EveryNewLabeledRows = 10_000, OnDrift = true, Debounce = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) },
        };

        DemoDataset.Spec().Should().Be(dataset);
        DemoDataset.FeatureViewSpec().Should().Be(view);
        DemoDataset.TrainingPolicy().Should().Be(policy);
        DemoSpec.Objects.Select(o => o.Id).Should().Equal("Dataset/demo-sensors", "FeatureView/demo-sensors-features", "TrainingPolicy/demo-model");
    }

    [Fact]
    public void The_embedded_demo_spec_is_the_repositorys_file()
    {
        DemoSpec.Text().Should().Be(RepositoryFiles.Read(DemoSpec.SourcePath));
    }

    [Fact]
    public void Every_kind_survives_spec_to_proto_to_spec()
    {
        var objects = SpecLoader.LoadText("""
            apiVersion: cascade/v1
            kind: Dataset
            metadata: {name: d}
            spec:
              entity_column: e
              event_time_column: t
              non_finite: as_missing
              max_record_bytes: 1024
              partitions: 3
              columns: [{name: a, type: int64, required: true}, {name: pii, type: string, sensitive: true}, {name: f, type: bool}]
            ---
            apiVersion: cascade/v1
            kind: FeatureView
            metadata: {name: v}
            spec: {dataset: d, passthrough: [a], aggregations: [{column: a, function: sum, window: 1d2h, name: s}, {column: a, function: last}], ttl: 500ms}
            ---
            apiVersion: cascade/v1
            kind: TrainingPolicy
            metadata: {name: m}
            spec:
              dataset: d
              feature_view: v
              objective: multi:softprob
              num_class: 3
              parameters: {max_depth: 6}
              rounds: 10
              early_stopping_rounds: 3
              validation_fraction: 0.15
              holdout_fraction: 0.25
              max_training_rows: 500
              resources: {accelerator: cpu, cpu_cores: 1}
              triggers: {schedule: 1h, cooldown: 5m}
            """, "test.yaml");

        var back = new[]
        {
            DatasetMapping.FromProto(DatasetMapping.ToProto("d", (DatasetSpecification)objects[0].Spec)),
            FeatureViewMapping.FromProto(FeatureViewMapping.ToProto("v", (FeatureViewSpecification)objects[1].Spec)),
            TrainingPolicyMapping.FromProto(TrainingPolicyMapping.ToProto("m", (TrainingPolicySpecification)objects[2].Spec)),
        };

        back.Select(o => o.Name).Should().Equal("d", "v", "m");
        SpecWriter.ToYaml(back.Select(SpecWriter.Document)).Should().Be(SpecWriter.ToYaml(objects.Select(SpecWriter.Document)));
        DatasetMapping.ToProto("d", (DatasetSpecification)objects[0].Spec).Columns[1].Sensitive.Should().BeTrue();
    }

    [Fact]
    public void Privacy_marks_a_column_sensitive_hash_is_left_unset_on_the_wire_and_drop_survives_the_round_trip()
    {
        var dataset = (DatasetSpecification)SpecLoader.LoadText("""
            apiVersion: cascade/v1
            kind: Dataset
            metadata: {name: d}
            spec:
              entity_column: e
              event_time_column: t
              columns: [{name: email, type: string, privacy: drop}, {name: zip, type: string, sensitive: true, privacy: hash}, {name: age, type: int64, sensitive: true}, {name: x, type: bool}]
            """, "test.yaml").Single().Spec;

        dataset.Columns.Select(c => (c.Name, c.Sensitive, c.Privacy)).Should().Equal(
            ("email", true, SensitiveTreatment.Drop), ("zip", true, SensitiveTreatment.Hash), ("age", true, SensitiveTreatment.Hash), ("x", false, SensitiveTreatment.Hash));
        var wire = DatasetMapping.ToProto("d", dataset);
        wire.Columns.Select(c => (c.Name, c.Sensitive, c.Privacy)).Should().Equal(
            ("email", true, ColumnPrivacy.Drop), ("zip", true, ColumnPrivacy.Unspecified), ("age", true, ColumnPrivacy.Unspecified), ("x", false, ColumnPrivacy.Unspecified));
        var back = (DatasetSpecification)DatasetMapping.FromProto(wire).Spec;
        back.Columns.Should().Equal(dataset.Columns);
        SpecWriter.ToYaml([SpecWriter.Document(DatasetMapping.FromProto(wire))]).Should().Contain("privacy: drop").And.NotContain("privacy: hash");
        var explicitHash = wire.Clone();
        explicitHash.Columns[1].Privacy = ColumnPrivacy.Hash; // as an API client may send it
        SpecDiff.Compare(DatasetMapping.FromProto(explicitHash).Spec, dataset).Should().BeEmpty("hash is what a sensitive column gets anyway");
    }

    [Fact]
    public void What_a_spec_leaves_out_the_wire_leaves_unset()
    {
        var policy = (TrainingPolicySpecification)SpecLoader.LoadText("apiVersion: cascade/v1\nkind: TrainingPolicy\nmetadata: {name: m}\nspec: {dataset: d, feature_view: v, objective: binary:logistic}\n", "t.yaml").Single().Spec;

        var proto = TrainingPolicyMapping.ToProto("m", policy);

        proto.Triggers.Should().BeNull();
        proto.Resources.Should().BeNull();
        FeatureViewMapping.ToProto("v", new FeatureViewSpecification("d", ["a"], [])).Ttl.Should().BeNull();
    }
}
