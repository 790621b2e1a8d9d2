using Cascade.Cli.Specs.Apply;
using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Wire;
using Cascade.Cli.Specs.Yaml;
using Cascade.Contracts.Common.V1;

namespace Cascade.Cli.Tests.Specs;

/// <summary>A view's <c>categoricals</c> in spec files: read, written back, mapped to the wire and compared by the plan.</summary>
public sealed class CategoricalSpecTests
{
    private const string View = """
        apiVersion: cascade/v1
        kind: FeatureView
        metadata: {name: shop}
        spec:
          dataset: orders
          passthrough: [amount]
          categoricals:
            - {column: city, encoding: one_hot, top_k: 3}
            - {column: size, encoding: ordinal, vocabulary: [S, M, L], name: size_code}
            - {column: floor, encoding: ordinal, vocabulary: [0, 1, 007]}
            - {column: vip, encoding: one_hot, vocabulary: [true, false]}
        """;

    private static FeatureViewSpecification Read(string yaml) => (FeatureViewSpecification)SpecLoader.LoadText(yaml, "shop.yaml").Single().Spec;

    [Fact]
    public void Categorical_columns_are_read_with_their_values_as_the_data_s_text()
    {
        var view = Read(View);

        view.CategoricalColumns.Should().HaveCount(4);
        view.CategoricalColumns[0].Should().BeEquivalentTo(new CategoricalSpecification("city", CategoricalEncodingKind.OneHot, 3, []));
        view.CategoricalColumns[1].Name.Should().Be("size_code");
        view.CategoricalColumns[2].Vocabulary.Should().Equal("0", "1", "7");
        view.CategoricalColumns[3].Vocabulary.Should().Equal("true", "false");
    }

    [Fact]
    public void They_survive_spec_to_proto_to_spec_and_yaml_to_yaml()
    {
        var objects = SpecLoader.LoadText(View, "shop.yaml");
        var proto = FeatureViewMapping.ToProto("shop", (FeatureViewSpecification)objects[0].Spec);

        proto.Categoricals[0].Encoding.Should().Be(CategoricalEncoding.OneHot);
        proto.Categoricals[0].TopK.Should().Be(3);
        proto.Categoricals[1].Encoding.Should().Be(CategoricalEncoding.Ordinal);
        proto.Categoricals[2].Vocabulary.Should().Equal("0", "1", "7");
        var back = FeatureViewMapping.FromProto(proto);
        var yaml = SpecWriter.ToYaml([SpecWriter.Document(back)]);
        yaml.Should().Be(SpecWriter.ToYaml(objects.Select(SpecWriter.Document)));
        yaml.Should().Contain("vocabulary: [\"0\", \"1\", \"7\"]", "numbers written back are quoted strings, read back as the same text");
        SpecWriter.ToYaml([SpecWriter.Document(FeatureViewMapping.FromProto(FeatureViewMapping.ToProto("shop", Read(yaml))))]).Should().Be(yaml);
    }

    [Fact]
    public void A_top_k_view_the_host_holds_is_unchanged_for_the_plan_and_a_changed_k_is_an_update()
    {
        var desired = SpecLoader.LoadText(View, "shop.yaml").Single();
        // What GetFeatureView answers: the spec as written (top_k), the resolved vocabulary only in the meta.
        var held = FeatureViewMapping.FromProto(FeatureViewMapping.ToProto("shop", (FeatureViewSpecification)desired.Spec));

        PlanDecision.Decide(desired, held).Action.Should().Be(PlanAction.Unchanged);
        var changed = SpecLoader.LoadText(View.Replace("top_k: 3", "top_k: 4"), "shop.yaml").Single();
        SpecDiff.Compare(held.Spec, changed.Spec).Should().ContainSingle().Which.Should().Be(new FieldChange("categoricals[0].top_k", "3", "4"));
    }

    [Theory]
    [InlineData("{column: city, encoding: onehot, top_k: 3}", "must be one of one_hot, ordinal")]
    [InlineData("{column: city, encoding: one_hot, vocabulary: [1.5]}", "must be a non-empty string, an integer or a boolean")]
    [InlineData("{column: city, encoding: one_hot, top_k: -1}", "top_k must be a whole number")]
    [InlineData("{column: city, encoding: one_hot, topk: 3}", "did you mean 'top_k'")]
    [InlineData("{encoding: one_hot, top_k: 3}", "column")]
    public void A_wrong_categorical_field_is_reported_with_its_place(string item, string message)
    {
        var yaml = $"apiVersion: cascade/v1\nkind: FeatureView\nmetadata: {{name: v}}\nspec:\n  dataset: d\n  categoricals:\n    - {item}\n";

        var act = () => SpecLoader.LoadText(yaml, "v.yaml");

        act.Should().Throw<SpecFileException>().WithMessage($"*v.yaml:7:*{message}*");
    }
}
