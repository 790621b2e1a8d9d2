using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Yaml;

namespace Cascade.Cli.Tests.Specs;

public sealed class SpecLoaderTests
{
    private const string Valid = """
        apiVersion: cascade/v1
        kind: Dataset
        metadata:
          name: readings
        spec:
          entity_column: device
          event_time_column: time
          label_column: label
          non_finite: as_missing
          columns:
            - {name: temperature, type: float64, required: true}
            - {name: owner_email, type: string, sensitive: true}
        ---
        apiVersion: cascade/v1
        kind: FeatureView
        metadata: {name: readings-view}
        spec:
          dataset: readings
          passthrough: [temperature]
          aggregations:
            - {column: temperature, function: max, window: 1h30m, name: temperature_max}
            - {column: temperature, function: last}
          ttl: 2d
        ---
        apiVersion: cascade/v1
        kind: TrainingPolicy
        metadata: {name: readings-model}
        spec:
          dataset: readings
          feature_view: readings-view
          objective: binary:logistic
          parameters: {max_depth: 4, eta: "0.3"}
          rounds: 40
          holdout_fraction: 0.2
          resources: {accelerator: gpu, cpu_cores: 2}
          triggers: {every_new_labeled_rows: 5000, on_drift: true, debounce: 90s, cooldown: 10m}
        ---
        apiVersion: cascade/v1
        kind: TrafficPolicy
        metadata: {name: readings-model}
        spec: {canary_percent: 12.5, shadow: true}
        """;

    private static IReadOnlyList<SpecError> Errors(string text)
    {
        var act = () => SpecLoader.LoadText(text, "test.yaml");
        return act.Should().Throw<SpecFileException>().Which.Errors;
    }

    private static string Document(string kind, string spec, string name = "x") =>
        $"apiVersion: cascade/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{string.Join("\n", spec.Split('\n').Select(l => "  " + l))}\n";

    [Fact]
    public void Every_kind_is_read_into_the_spec_types_with_where_it_starts()
    {
        var objects = SpecLoader.LoadText(Valid, "test.yaml");

        objects.Select(o => o.Id).Should().Equal("Dataset/readings", "FeatureView/readings-view", "TrainingPolicy/readings-model", "TrafficPolicy/readings-model");
        objects.Select(o => o.Location!.Line).Should().Equal(1, 14, 25, 38);
        var dataset = (DatasetSpecification)objects[0].Spec;
        dataset.Should().BeEquivalentTo(new DatasetSpecification("device", "time", "label",
            [new ColumnSpecification("temperature", ColumnType.Float64, Required: true), new ColumnSpecification("owner_email", ColumnType.String, Sensitive: true)],
            NonFiniteHandling.AsMissing));
        var view = (FeatureViewSpecification)objects[1].Spec;
        view.Aggregations.Should().Equal(
            new AggregationSpecification("temperature", AggregationKind.Max, TimeSpan.FromMinutes(90), "temperature_max"),
            new AggregationSpecification("temperature", AggregationKind.Last, TimeSpan.Zero));
        view.Ttl.Should().Be(TimeSpan.FromDays(2));
        var policy = (TrainingPolicySpecification)objects[2].Spec;
        policy.Parameters.Should().Equal(new Dictionary<string, string> { ["eta"] = "0.3", ["max_depth"] = "4" });
        policy.Resources.Should().Be(new ResourceSpecification(Accelerator.Gpu, 2));
        policy.Triggers.Should().Be(new TriggerSpecification(5000, OnDrift: true, Debounce: TimeSpan.FromSeconds(90), Cooldown: TimeSpan.FromMinutes(10)));
        objects[3].Spec.Should().Be(new TrafficPolicySpecification(12.5, Shadow: true));
    }

    [Fact]
    public void An_unknown_field_is_an_error_at_its_line_and_column_with_the_nearest_known_name()
    {
        var error = Errors(Document("Dataset", "entity_colum: device\nevent_time_column: time\ncolumns: [{name: a, type: bool}]")).Should().ContainSingle(e => e.Message.StartsWith("unknown field")).Subject;

        error.ToString().Should().StartWith("test.yaml:6:3: unknown field 'entity_colum' in spec (did you mean 'entity_column'?)");
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_an_error_at_the_value()
    {
        var errors = Errors(Document("TrainingPolicy", "dataset: d\nfeature_view: v\nobjective: binary:logistic\nrounds: \"60\"\ntriggers: {on_drift: yes, debounce: 2 seconds}"));

        errors.Select(e => e.ToString()).Should().BeEquivalentTo(
            "test.yaml:9:11: spec.rounds must be a whole number from 0 to 2,147,483,647; got \"60\", a string because it is quoted: write it without quotes.",
            "test.yaml:10:24: spec.triggers.on_drift must be true or false; got a string (yes).",
            $"test.yaml:10:39: spec.triggers.debounce must be {SpecDurations.Expected}; got '2 seconds'.");
    }

    [Fact]
    public void A_missing_name_is_an_error()
    {
        var errors = Errors("apiVersion: cascade/v1\nkind: TrafficPolicy\nmetadata: {}\nspec: {canary_percent: 5}\n");

        errors.Should().ContainSingle().Which.ToString().Should().Be("test.yaml:3:11: metadata.name is required (the model's name).");
    }

    [Fact]
    public void Every_error_of_every_document_is_reported_at_once()
    {
        var errors = Errors("""
            apiVersion: cascade/v2
            kind: Dataset
            metadata: {name: a}
            spec: {entity_column: e, event_time_column: t, columns: [{name: c, type: flaot64}]}
            ---
            apiVersion: cascade/v1
            kind: Gadget
            metadata: {name: b}
            spec: {}
            ---
            apiVersion: cascade/v1
            kind: FeatureView
            metadata: {name: c}
            spec: {dataset: a, passthrough: c}
            """);

        errors.Select(e => (e.Location.Line, e.Message.Split(':')[0])).Should().Equal(
            (1L, "apiVersion 'cascade/v2' is not known"),
            (4L, "spec.columns[0].type must be one of float64, int64, string, bool; got 'flaot64'."),
            (7L, "kind 'Gadget' is not known"),
            (14L, "spec.passthrough must be a list (lines starting with '- '); got a string (c)."));
    }

    [Fact]
    public void A_model_is_read_only_and_the_error_says_why()
    {
        var errors = Errors("apiVersion: cascade/v1\nkind: Model\nmetadata: {name: m}\nstatus: {task: Binary}\n");

        errors.Should().Contain(e => e.Message.StartsWith("kind Model cannot be applied: models come from training"));
    }

    [Fact]
    public void The_same_object_declared_twice_is_an_error()
    {
        var once = Document("TrafficPolicy", "canary_percent: 1", "m");

        var errors = Errors(once + "---\n" + once);

        errors.Should().ContainSingle().Which.ToString().Should().Be("test.yaml:8:1: TrafficPolicy/m is declared twice (first at test.yaml:1:1).");
    }

    [Fact]
    public void Broken_yaml_is_one_error_with_its_position()
    {
        var errors = Errors("apiVersion: cascade/v1\nkind: [Dataset\n");

        errors.Should().ContainSingle().Which.Message.Should().StartWith("not valid YAML");
    }

    [Fact]
    public void A_key_written_twice_is_an_error_not_a_silent_overwrite()
    {
        var errors = Errors("apiVersion: cascade/v1\nkind: TrafficPolicy\nmetadata: {name: m}\nspec:\n  canary_percent: 5\n  canary_percent: 50\n");

        errors.Should().ContainSingle().Which.ToString().Should().StartWith("test.yaml:6:");
    }

    [Fact]
    public void Empty_documents_declare_nothing()
    {
        SpecLoader.LoadText("---\n# nothing yet\n---\n", "test.yaml").Should().BeEmpty();
    }

    [Fact]
    public void A_directory_gives_its_yaml_files_in_name_order_and_nothing_else()
    {
        var directory = Directory.CreateTempSubdirectory("cascade-specs-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "b.yml"), Document("TrafficPolicy", "shadow: true", "second"));
            File.WriteAllText(Path.Combine(directory, "a.yaml"), Document("TrafficPolicy", "shadow: true", "first"));
            File.WriteAllText(Path.Combine(directory, "notes.txt"), "not a spec");

            SpecLoader.LoadPaths([directory]).Select(o => o.Name).Should().Equal("first", "second");
            var empty = Directory.CreateTempSubdirectory("cascade-specs-empty-").FullName;
            ((Action)(() => SpecLoader.LoadPaths([empty]))).Should().Throw<SpecPathException>().WithMessage("*no *.yaml or *.yml files*");
            ((Action)(() => SpecLoader.LoadPaths([Path.Combine(directory, "missing.yaml")]))).Should().Throw<SpecPathException>().WithMessage("*no such file or directory*");
            Directory.Delete(empty);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void What_the_writer_writes_the_loader_reads_back_the_same()
    {
        var objects = SpecLoader.LoadText(Valid, "test.yaml");

        var written = SpecWriter.ToYaml(objects.Select(SpecWriter.Document));
        var again = SpecLoader.LoadText(written, "written.yaml");

        SpecWriter.ToYaml(again.Select(SpecWriter.Document)).Should().Be(written);
        again.Select(o => o.Spec).Should().BeEquivalentTo(objects.Select(o => o.Spec), options => options.RespectingRuntimeTypes());
        written.Should().StartWith("---\napiVersion: cascade/v1\nkind: Dataset\n").And.Contain("max_depth: \"4\"");
    }
}
