using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Features.Retention;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Features.Tests.Retention;

/// <summary>Which rows a kept version holds: read from its lineage as Training's reader chose them.</summary>
public sealed class TrainingWindowTests
{
    private static ModelVersion Version(int number, string? cap, params (int Partition, long Offset)[] watermark)
    {
        var lineage = new Lineage { Dataset = "d", FeatureView = "view", FeatureViewVersion = 2, Watermark = new Watermark() };
        lineage.Watermark.Partitions.AddRange(watermark.Select(w => new PartitionOffset { Partition = w.Partition, Offset = w.Offset }));
        if (cap is not null) lineage.Parameters[KeptVersionMapping.MaxTrainingRowsParameter] = cap;
        return new ModelVersion { Spec = new ModelVersionSpec { Model = "m", Lineage = lineage }, Meta = new ModelVersionMeta { Version = number } };
    }

    [Fact]
    public void A_kept_version_holds_its_view_version_below_its_watermark_with_the_cap_its_lineage_records()
    {
        var kept = KeptVersionMapping.FromProto(Version(3, "10000", (0, 120), (1, 80)));

        kept.Should().NotBeNull();
        (kept!.Model, kept.Version, kept.FeatureView, kept.FeatureViewVersion, kept.MaxTrainingRows).Should().Be(("m", 3, "view", 2, 10_000L));
        kept.Watermark.Should().BeEquivalentTo(new Dictionary<int, long> { [0] = 120, [1] = 80 });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("many")]
    public void A_cap_that_is_missing_zero_or_unreadable_holds_every_labeled_row_below_the_watermark(string? cap) =>
        KeptVersionMapping.FromProto(Version(1, cap, (0, 10)))!.MaxTrainingRows.Should().Be(0);

    [Fact]
    public void A_collected_version_and_one_without_training_rows_hold_nothing()
    {
        var collected = Version(1, "100", (0, 10));
        collected.Meta.ArtifactCollectedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch);
        var imported = Version(2, "100");
        var noView = Version(3, "100", (0, 10));
        noView.Spec.Lineage.FeatureView = "";
        var noLineage = new ModelVersion { Spec = new ModelVersionSpec { Model = "m" }, Meta = new ModelVersionMeta { Version = 4 } };

        new[] { collected, imported, noView, noLineage }.Select(KeptVersionMapping.FromProto).Should().AllSatisfy(k => k.Should().BeNull());
    }

    [Fact]
    public void A_partition_named_twice_holds_up_to_its_later_end() =>
        KeptVersionMapping.FromProto(Version(1, "5", (0, 10), (0, 30), (0, 20)))!.Watermark.Should().BeEquivalentTo(new Dictionary<int, long> { [0] = 30 });

    [Fact]
    public void Versions_that_read_the_same_rows_make_one_window_of_the_rows_their_reader_asked_for()
    {
        KeptVersion Kept(int version, long cap, long end, int viewVersion = 2) => new("m", version, "view", viewVersion, new Dictionary<int, long> { [1] = end, [0] = 5 }, cap);
        var windows = TrainingWindow.Of([
            Kept(1, 100, 50), Kept(2, 100, 50), // a retry of the same job, or two models on one view
            Kept(3, 100, 60),
            Kept(4, 0, 60),
            Kept(5, int.MaxValue, 60), // the reader's limit is an int: it reads every row
            Kept(6, 100, 50, viewVersion: 3),
        ]);

        windows.Select(w => (w.ViewVersion, w.Size, w.Watermark[1])).Should().BeEquivalentTo([(2, 101, 50L), (2, 101, 60L), (2, 0, 60L), (3, 101, 50L)],
            "a job capped at 100 reads 101 rows (the extra one tells it to cap): all 101 are held");
    }
}
