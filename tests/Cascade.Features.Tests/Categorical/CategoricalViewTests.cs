using Cascade.Contracts.Features.V1;
using Cascade.Features.Domain;
using Cascade.Ml.Evaluation.Categorical;
using Google.Protobuf.WellKnownTypes;
using WireEncoding = Cascade.Contracts.Common.V1.CategoricalEncoding;

namespace Cascade.Features.Tests.Categorical;

/// <summary>Categorical features in a view's definition: vocabularies (listed, top-K with ties), feature names and order, refusals.</summary>
public sealed class CategoricalViewTests
{
    private static FeatureViewSpec Spec(params CategoricalFeature[] categoricals) => new() { Name = "v", Dataset = "d", Passthrough = { "x" }, Categoricals = { categoricals } };

    private static CategoricalFeature OneHot(string column, int topK = 0, params string[] vocabulary) => new() { Column = column, Encoding = WireEncoding.OneHot, TopK = topK, Vocabulary = { vocabulary } };

    private static CategoricalFeature Ordinal(string column, int topK = 0, params string[] vocabulary) => new() { Column = column, Encoding = WireEncoding.Ordinal, TopK = topK, Vocabulary = { vocabulary } };

    [Fact]
    public void Top_k_keeps_the_most_frequent_values_and_breaks_ties_in_ordinal_order()
    {
        var counts = new ValueCounts();
        foreach (var value in new[] { "b", "a", "c", "c", "B", "d", "d", "c", "a", "e" }) counts.Add(value);

        // c ×3; a, d ×2; then B, b, e ×1, in ordinal (byte) order: upper case first.
        counts.Top(3).Should().Equal("c", "a", "d");
        counts.Top(5).Should().Equal("c", "a", "d", "B", "b");
        counts.Top(100).Should().HaveCount(6);
        counts.Present.Should().Be(10);
    }

    [Fact]
    public void A_listed_vocabulary_is_the_code_order_and_names_the_features()
    {
        var view = FeatureViewDefinition.From(Spec(OneHot("city", 0, "paris", "lyon"), new CategoricalFeature { Column = "size", Encoding = WireEncoding.Ordinal, Vocabulary = { "S", "M", "L" }, Name = "size_code" }), 1);

        view.FeatureNames.Should().Equal("x", "city=paris", "city=lyon", "size_code");
        view.Categoricals[0].Vocabulary.Should().Equal("paris", "lyon");
        view.Categoricals[1].Encoding.Should().Be(CategoricalEncoding.Ordinal);
        view.Categoricals[1].CodeOf("L").Should().Be(2);
    }

    [Fact]
    public void A_top_k_column_takes_its_vocabulary_from_what_was_resolved_for_the_version()
    {
        var spec = Spec(OneHot("city", topK: 2));

        var view = FeatureViewDefinition.From(spec, 3, new Dictionary<string, IReadOnlyList<string>> { ["city"] = ["lyon", "paris"] });

        view.FeatureNames.Should().Equal("x", "city=lyon", "city=paris");
        FeatureViewDefinition.NeedsData(spec).Should().BeTrue();
        ((Action)(() => FeatureViewDefinition.From(spec, 3))).Should().Throw<ArgumentException>().WithMessage("*'city' (top_k 2) has no vocabulary yet*");
    }

    [Theory]
    [InlineData("aggregation", "*'city' is categorical*SUM over it has no meaning*")]
    [InlineData("both", "*lists a vocabulary and gives top_k 3*give one of them*")]
    [InlineData("neither", "*'city' needs a vocabulary: list it, or give top_k*")]
    [InlineData("no encoding", "*'city' has no encoding: use ONE_HOT or ORDINAL*")]
    [InlineData("top_k too large", "*top_k must be from 1 to 1,000; got 5000*")]
    [InlineData("repeated value", "*'paris' appears twice in the vocabulary*")]
    [InlineData("empty value", "*empty value (empty means missing)*")]
    [InlineData("twice", "*'city' is declared categorical twice*")]
    [InlineData("name clash", "*'city=paris' appears twice*")]
    public void A_wrong_categorical_spec_is_refused_with_what_to_fix(string problem, string message)
    {
        var spec = problem switch
        {
            "aggregation" => new FeatureViewSpec { Name = "v", Dataset = "d", Categoricals = { OneHot("city", 0, "paris") }, Aggregations = { new Aggregation { Column = "city", Function = AggregationFunction.Sum, Window = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) } } },
            "both" => Spec(OneHot("city", 3, "paris")),
            "neither" => Spec(OneHot("city")),
            "no encoding" => Spec(new CategoricalFeature { Column = "city", TopK = 2 }),
            "top_k too large" => Spec(OneHot("city", 5000)),
            "repeated value" => Spec(OneHot("city", 0, "paris", "lyon", "paris")),
            "empty value" => Spec(OneHot("city", 0, "paris", "")),
            "twice" => Spec(OneHot("city", 2), Ordinal("city", 2)),
            _ => new FeatureViewSpec { Name = "v", Dataset = "d", Passthrough = { "city=paris" }, Categoricals = { OneHot("city", 0, "paris") } },
        };

        ((Action)(() => FeatureViewDefinition.From(spec, 1))).Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void A_view_of_categorical_columns_only_is_a_view()
    {
        FeatureViewDefinition.From(new FeatureViewSpec { Name = "v", Dataset = "d", Categoricals = { Ordinal("size", 0, "S") } }, 1).FeatureNames.Should().Equal("size");
    }
}
