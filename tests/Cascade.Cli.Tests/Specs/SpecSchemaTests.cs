using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cascade.Cli.Demo;
using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Yaml;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Tests.Specs;

/// <summary>
/// docs/spec.schema.json is what editors check spec files with: it must accept the demo's spec and every example in
/// the docs, refuse what apply refuses, and name exactly the fields and values the CLI reads.
/// </summary>
public sealed partial class SpecSchemaTests
{
    private const string SchemaPath = "docs/spec.schema.json";

    private static readonly JsonSchema Schema = JsonSchema.FromText(RepositoryFiles.Read(SchemaPath));

    private static readonly JsonNode SchemaJson = JsonNode.Parse(RepositoryFiles.Read(SchemaPath))!;

    /// <summary>Each document of a YAML text as JSON, typed as an editor's YAML extension types it.</summary>
    private static IReadOnlyList<JsonNode?> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => SpecJson.ToJson(d.RootNode)).ToArray();
    }

    private static EvaluationResults Evaluate(JsonNode? document) =>
        Schema.Evaluate(JsonSerializer.SerializeToElement(document), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Failures(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    public static IEnumerable<object[]> DocumentedExamples()
    {
        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.Path("docs"), "*.md").Append(RepositoryFiles.Path("README.md")).Order())
        {
            var index = 0;
            foreach (Match block in YamlBlock().Matches(File.ReadAllText(file)))
            {
                if (block.Groups[1].Value.Contains("apiVersion: cascade/v1")) yield return [Path.GetRelativePath(RepositoryFiles.Root, file), index++, block.Groups[1].Value];
            }
        }
    }

    [Fact]
    public void The_docs_have_examples_of_every_kind()
    {
        var examples = string.Join("\n", DocumentedExamples().Select(e => (string)e[2]));

        foreach (var kind in Enum.GetNames<SpecKind>()) examples.Should().Contain($"kind: {kind}");
    }

    [Theory]
    [MemberData(nameof(DocumentedExamples))]
    public void Every_example_in_the_docs_is_valid_for_the_schema_and_for_apply(string file, int index, string yaml)
    {
        foreach (var document in Documents(yaml))
        {
            var results = Evaluate(document);
            results.IsValid.Should().BeTrue($"example {index} of {file} must validate: {Failures(results)}");
        }
        SpecLoader.LoadText(yaml, $"{file} example {index}").Should().NotBeEmpty();
    }

    [Fact]
    public void The_demo_spec_and_what_get_writes_are_valid()
    {
        foreach (var document in Documents(DemoSpec.Text()).Concat(Documents(SpecWriter.ToYaml(DemoSpec.Objects.Select(SpecWriter.Document)))))
        {
            var results = Evaluate(document);
            results.IsValid.Should().BeTrue(Failures(results));
        }
    }

    [Theory]
    [InlineData("unknown field", "apiVersion: cascade/v1\nkind: TrafficPolicy\nmetadata: {name: m}\nspec: {canary: 5}")]
    [InlineData("no name", "apiVersion: cascade/v1\nkind: TrafficPolicy\nmetadata: {}\nspec: {shadow: true}")]
    [InlineData("unknown kind", "apiVersion: cascade/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {}")]
    [InlineData("wrong version", "apiVersion: cascade/v2\nkind: TrafficPolicy\nmetadata: {name: m}\nspec: {}")]
    [InlineData("quoted number", "apiVersion: cascade/v1\nkind: TrainingPolicy\nmetadata: {name: m}\nspec: {dataset: d, feature_view: v, objective: binary:logistic, rounds: \"60\"}")]
    [InlineData("bad duration", "apiVersion: cascade/v1\nkind: FeatureView\nmetadata: {name: v}\nspec: {dataset: d, ttl: 2 days}")]
    [InlineData("bad enum", "apiVersion: cascade/v1\nkind: Dataset\nmetadata: {name: d}\nspec: {entity_column: e, event_time_column: t, columns: [{name: a, type: double}]}")]
    [InlineData("missing field", "apiVersion: cascade/v1\nkind: Dataset\nmetadata: {name: d}\nspec: {event_time_column: t, columns: [{name: a, type: bool}]}")]
    [InlineData("a misspelt encoding", "apiVersion: cascade/v1\nkind: FeatureView\nmetadata: {name: v}\nspec: {dataset: d, categoricals: [{column: city, encoding: onehot, top_k: 3}]}")]
    [InlineData("a float category", "apiVersion: cascade/v1\nkind: FeatureView\nmetadata: {name: v}\nspec: {dataset: d, categoricals: [{column: size, encoding: ordinal, vocabulary: [1.5, 2]}]}")]
    [InlineData("a field of another kind", "apiVersion: cascade/v1\nkind: FeatureView\nmetadata: {name: v}\nspec: {dataset: d, entity_column: e}")]
    [InlineData("an unknown privacy", "apiVersion: cascade/v1\nkind: Dataset\nmetadata: {name: d}\nspec: {entity_column: e, event_time_column: t, columns: [{name: a, type: string, sensitive: true, privacy: blur}]}")]
    [InlineData("privacy on a column said not to be sensitive", "apiVersion: cascade/v1\nkind: Dataset\nmetadata: {name: d}\nspec: {entity_column: e, event_time_column: t, columns: [{name: a, type: string, sensitive: false, privacy: drop}]}")]
    public void An_invalid_document_is_refused_by_the_schema_and_by_apply(string why, string yaml)
    {
        Evaluate(Documents(yaml).Single()).IsValid.Should().BeFalse($"the schema must refuse a document with {why}");
        ((Action)(() => SpecLoader.LoadText(yaml, "invalid.yaml"))).Should().Throw<SpecFileException>($"apply must refuse a document with {why}");
    }

    [Fact]
    public void The_schema_names_exactly_the_fields_and_values_the_cli_reads()
    {
        string[] Properties(string pointer) => Node(pointer)["properties"]!.AsObject().Select(p => p.Key).ToArray();
        string[] Enum(string pointer) => Node(pointer)["enum"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();

        Properties("").Should().BeEquivalentTo(SpecLoader.DocumentFields);
        Properties("/$defs/metadata").Should().BeEquivalentTo(SpecLoader.MetadataFields);
        Properties("/$defs/datasetSpec").Should().BeEquivalentTo(Cascade.Cli.Specs.Yaml.DatasetReader.Fields);
        Properties("/$defs/datasetSpec/properties/columns/items").Should().BeEquivalentTo(Cascade.Cli.Specs.Yaml.DatasetReader.ColumnFields);
        Properties("/$defs/featureViewSpec").Should().BeEquivalentTo(FeatureViewReader.Fields);
        Properties("/$defs/featureViewSpec/properties/aggregations/items").Should().BeEquivalentTo(FeatureViewReader.AggregationFields);
        Properties("/$defs/featureViewSpec/properties/categoricals/items").Should().BeEquivalentTo(FeatureViewReader.CategoricalFields);
        Properties("/$defs/trainingPolicySpec").Should().BeEquivalentTo(TrainingPolicyReader.Fields);
        Properties("/$defs/trainingPolicySpec/properties/resources").Should().BeEquivalentTo(TrainingPolicyReader.ResourceFields);
        Properties("/$defs/trainingPolicySpec/properties/triggers").Should().BeEquivalentTo(TrainingPolicyReader.TriggerFields);
        Properties("/$defs/trainingPolicySpec/properties/monitoring").Should().BeEquivalentTo(TrainingPolicyReader.MonitoringFields);
        Properties("/$defs/trainingPolicySpec/properties/monitoring/properties/segment").Should().BeEquivalentTo(TrainingPolicyReader.SegmentFields);
        Properties("/$defs/trafficPolicySpec").Should().BeEquivalentTo(TrafficPolicyReader.Fields);

        Enum("/properties/kind").Should().Equal(System.Enum.GetNames<SpecKind>());
        Enum("/$defs/datasetSpec/properties/non_finite").Should().Equal(SpecNames.All<NonFiniteHandling>());
        Enum("/$defs/datasetSpec/properties/columns/items/properties/type").Should().Equal(SpecNames.All<ColumnType>());
        Enum("/$defs/datasetSpec/properties/columns/items/properties/privacy").Should().Equal(SpecNames.All<SensitiveTreatment>());
        Enum("/$defs/featureViewSpec/properties/aggregations/items/properties/function").Should().Equal(SpecNames.All<AggregationKind>());
        Enum("/$defs/featureViewSpec/properties/categoricals/items/properties/encoding").Should().Equal(SpecNames.All<CategoricalEncodingKind>());
        Enum("/$defs/trainingPolicySpec/properties/resources/properties/accelerator").Should().Equal(SpecNames.All<Accelerator>());
        Node("/$defs/duration")["pattern"]!.GetValue<string>().Should().Be(SpecDurations.Pattern);
        SchemaJson["properties"]!["apiVersion"]!["const"]!.GetValue<string>().Should().Be(SpecLoader.ApiVersion);
    }

    private static JsonNode Node(string pointer) =>
        pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate(SchemaJson, (node, part) => node[part] ?? throw new KeyNotFoundException($"{SchemaPath} has no {pointer}"));

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
