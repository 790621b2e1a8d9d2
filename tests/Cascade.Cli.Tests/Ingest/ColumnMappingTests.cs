using Cascade.Cli.Ingest;

namespace Cascade.Cli.Tests.Ingest;

public sealed class ColumnMappingTests
{
    [Fact]
    public void Columns_are_matched_by_name_whatever_their_order()
    {
        var mapping = ColumnMapping.Create(Datasets.Sensors(), ["ok", "temp", "ts", "device_id", "site", "count"], labels: false, idColumn: null);

        mapping.Entity.Should().Be(3);
        mapping.EventTime.Should().Be(2);
        mapping.Values.Select(v => (v.Index, v.Column.Name)).Should().BeEquivalentTo([(1, "temp"), (5, "count"), (4, "site"), (0, "ok")]);
        mapping.Label.Should().Be(-1);
        mapping.RecordId.Should().Be(-1);
        mapping.Needed.Should().BeEquivalentTo([0, 1, 2, 3, 4, 5]);
        mapping.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void Undeclared_columns_get_one_warning_and_a_label_column_without_labels_another()
    {
        var mapping = ColumnMapping.Create(Datasets.Sensors(), ["device_id", "ts", "temp", "note", "label", "extra"], labels: false, idColumn: null);

        mapping.Warnings.Should().Equal(
            "column label is the dataset's label column: ignored without --labels",
            "dataset 'sensors' does not declare column(s) note, extra: ignored");
        mapping.Needed.Should().BeEquivalentTo([0, 1, 2], "ignored columns are not read");
    }

    [Fact]
    public void With_labels_and_an_id_column_both_are_mapped_and_the_id_column_is_no_undeclared_column()
    {
        var mapping = ColumnMapping.Create(Datasets.Sensors(), ["uid", "device_id", "ts", "temp", "label"], labels: true, idColumn: "uid");

        mapping.Label.Should().Be(4);
        mapping.RecordId.Should().Be(0);
        mapping.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void A_header_without_a_required_column_is_refused_naming_every_missing_one()
    {
        var act = () => ColumnMapping.Create(Datasets.Sensors(), ["device_id", "count"], labels: true, idColumn: "uid");

        act.Should().Throw<IngestUsageException>().Which.Message.Should()
            .Contain("ts (the event-time column)").And.Contain("temp").And.Contain("label (the label column, asked for by --labels)").And.Contain("uid (named by --id-column)")
            .And.NotContain("device_id (");
    }

    [Fact]
    public void Labels_for_a_dataset_without_a_label_column_are_refused()
    {
        var spec = Datasets.Sensors();
        spec.LabelColumn = "";

        var act = () => ColumnMapping.Create(spec, ["device_id", "ts", "temp"], labels: true, idColumn: null);

        act.Should().Throw<IngestUsageException>().Which.Message.Should().Contain("declares no label column");
    }
}
