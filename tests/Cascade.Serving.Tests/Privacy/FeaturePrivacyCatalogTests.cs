using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events.V1;
using Cascade.Serving.Privacy;

namespace Cascade.Serving.Tests.Privacy;

/// <summary>Which logged features a served model withholds, from its view's sources and its dataset's schema.</summary>
public sealed class FeaturePrivacyCatalogTests
{
    private readonly FeaturePrivacyCatalog _catalog = new(new PrivacyHasher(new byte[32]));

    private static readonly string[] Features = ["amount", "age", "income_mean_3600s", "postcode=75001", "postcode=69001", "tier"];

    private static DatasetRegistered Dataset(int version, params (string Column, bool Sensitive, ColumnPrivacy Privacy)[] columns)
    {
        var registered = new DatasetRegistered { Dataset = "patients", SchemaVersion = version };
        registered.Columns.AddRange(columns.Select(c => new DatasetColumn { Name = c.Column, Type = Contracts.Common.V1.ValueType.Float64, Sensitive = c.Sensitive, Privacy = c.Privacy }));
        return registered;
    }

    private static FeatureViewApplied View(int version, params string[] features)
    {
        var applied = new FeatureViewApplied { FeatureView = "patients-view", Version = version, Dataset = "patients" };
        var sources = new Dictionary<string, (string Column, bool Categorical)>
        {
            ["amount"] = ("amount", false), ["age"] = ("age", false), ["income_mean_3600s"] = ("income", false),
            ["postcode=75001"] = ("postcode", true), ["postcode=69001"] = ("postcode", true), ["tier"] = ("tier", true),
        };
        applied.Features.AddRange(features.Select(f => new FeatureSource { Feature = f, Column = sources[f].Column, Categorical = sources[f].Categorical }));
        return applied;
    }

    private static DatasetRegistered Sensitive(int version = 1) => Dataset(version,
        ("amount", false, ColumnPrivacy.Unspecified), ("age", true, ColumnPrivacy.Unspecified), ("income", true, ColumnPrivacy.Drop),
        ("postcode", true, ColumnPrivacy.Hash), ("tier", false, ColumnPrivacy.Unspecified));

    [Fact]
    public void Features_of_sensitive_columns_are_withheld_as_their_column_says_a_categorical_column_as_one_value()
    {
        _catalog.Apply(Sensitive());
        _catalog.Apply(View(1, Features));

        var privacy = _catalog.Resolve("patients-view", Features);

        privacy.Groups.Should().BeEquivalentTo(new[]
        {
            new WithheldGroup("age", [1], FeatureTreatment.Hash),
            new WithheldGroup("income_mean_3600s", [2], FeatureTreatment.Drop),
            new WithheldGroup("postcode", [3, 4], FeatureTreatment.Hash),
        }, o => o.WithStrictOrdering());
        privacy.IsWithheld(0).Should().BeFalse("amount is not sensitive");
        privacy.IsWithheld(5).Should().BeFalse("nor is tier");
        privacy.HashOf(privacy.Groups[1], [1, 2, 3, 4, 5, 6]).Should().BeEmpty("a dropped value leaves nothing behind");
    }

    [Fact]
    public void Until_the_view_and_its_dataset_are_known_every_feature_is_dropped_and_then_only_the_sensitive_ones()
    {
        var unknown = _catalog.Resolve("patients-view", Features);
        unknown.Groups.Should().HaveCount(Features.Length).And.OnlyContain(g => g.Treatment == FeatureTreatment.Drop);

        _catalog.Apply(View(1, Features));
        _catalog.Resolve("patients-view", Features).Groups.Should().HaveCount(Features.Length, "the dataset's schema is still unknown");

        _catalog.Apply(Sensitive());
        _catalog.Resolve("patients-view", Features).Groups.Select(g => g.Name).Should().Equal("age", "income_mean_3600s", "postcode");
    }

    [Fact]
    public void A_model_without_a_feature_view_and_a_dataset_without_sensitive_columns_withhold_nothing()
    {
        _catalog.Resolve("", ["a", "b"]).IsEmpty.Should().BeTrue("inline features have no schema");

        _catalog.Apply(Dataset(1, ("amount", false, ColumnPrivacy.Unspecified), ("age", false, ColumnPrivacy.Unspecified)));
        _catalog.Apply(View(1, "amount", "age"));
        _catalog.Resolve("patients-view", ["amount", "age"]).Should().BeSameAs(LogPrivacy.None);
    }

    [Fact]
    public void A_model_on_an_older_view_version_is_resolved_with_the_version_that_has_its_features()
    {
        _catalog.Apply(Sensitive());
        _catalog.Apply(View(1, "amount", "age"));
        _catalog.Apply(View(2, "amount"));

        _catalog.Resolve("patients-view", ["amount", "age"]).Groups.Select(g => g.Name).Should().Equal("age");
        _catalog.Resolve("patients-view", ["amount", "unknown-feature"]).Groups.Should().HaveCount(2, "no version has that feature: everything is dropped");
    }

    [Fact]
    public void A_column_marked_sensitive_later_is_withheld_from_then_on_and_an_older_schema_replayed_after_it_changes_nothing()
    {
        _catalog.Apply(Dataset(1, ("amount", false, ColumnPrivacy.Unspecified), ("age", false, ColumnPrivacy.Unspecified)));
        _catalog.Apply(View(1, "amount", "age"));
        var generation = _catalog.Generation;
        _catalog.Resolve("patients-view", ["amount", "age"]).IsEmpty.Should().BeTrue();

        _catalog.Apply(Dataset(2, ("amount", false, ColumnPrivacy.Unspecified), ("age", true, ColumnPrivacy.Drop)));
        _catalog.Generation.Should().BeGreaterThan(generation, "served models resolve again");
        _catalog.Resolve("patients-view", ["amount", "age"]).Groups.Should().ContainSingle().Which.Should().BeEquivalentTo(new WithheldGroup("age", [1], FeatureTreatment.Drop));

        _catalog.Apply(Dataset(1, ("amount", false, ColumnPrivacy.Unspecified), ("age", false, ColumnPrivacy.Unspecified)));
        _catalog.Resolve("patients-view", ["amount", "age"]).Groups.Should().ContainSingle("schema version 1 is older than the one known");
    }
}
