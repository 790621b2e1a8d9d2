using Cascade.Cli.Ingest;
using Cascade.Contracts.Common.V1;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Cascade.Cli.Tests.Ingest;

public sealed class RecordMapperTests
{
    private static readonly string[] Header = ["device_id", "ts", "temp", "count", "site", "ok", "label", "uid"];

    private static RecordMapper Mapper(bool labels = false, string? idColumn = null, string dataset = "sensors") =>
        new(ColumnMapping.Create(Datasets.Sensors(dataset), Header, labels, idColumn));

    private static SourceRow Row(long line, params object?[] cells) => new(line, cells);

    [Fact]
    public void A_row_becomes_a_record_with_typed_values_entity_time_and_label()
    {
        var record = Mapper(labels: true).Map(Row(7, "d1", "2026-01-31T12:00:00Z", "21.5", "3", "north", "true", "1", "u1"), out var problem);

        problem.Should().BeNull();
        record!.EntityId.Should().Be("d1");
        record.EventTime.Should().Be(Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero)));
        record.Values.Should().BeEquivalentTo(new Dictionary<string, Value>
        {
            ["temp"] = new() { Float64Value = 21.5 },
            ["count"] = new() { Int64Value = 3 },
            ["site"] = new() { StringValue = "north" },
            ["ok"] = new() { BoolValue = true },
        });
        record.HasLabel.Should().BeTrue();
        record.Label.Should().Be(1);
        record.RecordId.Should().BeEmpty("without --id-column Ingestion derives the id from the content");
    }

    [Fact]
    public void Missing_optional_values_are_left_out_and_an_empty_label_leaves_the_record_unlabeled()
    {
        var record = Mapper(labels: true).Map(Row(2, "d1", "1769860800", "1", "", "", "", "", ""), out _);

        record!.Values.Keys.Should().Equal("temp");
        record.HasLabel.Should().BeFalse();
    }

    [Theory]
    [InlineData(new[] { "", "2026-01-31", "1", "", "", "", "", "" }, "device_id", "the entity id is empty")]
    [InlineData(new[] { "d", "", "1", "", "", "", "", "" }, "ts", "the event time is empty")]
    [InlineData(new[] { "d", "soon", "1", "", "", "", "", "" }, "ts", "'soon' is not a time")]
    [InlineData(new[] { "d", "2026-01-31", "", "", "", "", "", "" }, "temp", "a required value is empty")]
    [InlineData(new[] { "d", "2026-01-31", "x1", "", "", "", "", "" }, "temp", "'x1' is not a number (FLOAT64)")]
    [InlineData(new[] { "d", "2026-01-31", "1", "2.5", "", "", "", "" }, "count", "'2.5' is not a whole number (INT64)")]
    [InlineData(new[] { "d", "2026-01-31", "1", "", "", "maybe", "", "" }, "ok", "is not a boolean")]
    [InlineData(new[] { "d", "2026-01-31", "1", "", "", "", "high", "" }, "label", "'high' is not a label")]
    public void The_first_problem_of_a_row_is_reported_with_its_line_and_column(string[] cells, string column, string reason)
    {
        var record = Mapper(labels: true).Map(Row(12, cells), out var problem);

        record.Should().BeNull();
        problem!.Line.Should().Be(12);
        problem.Column.Should().Be(column);
        problem.Reason.Should().Contain(reason);
        problem.Format("data.csv").Should().StartWith($"data.csv:12: column {column}: ");
    }

    [Fact]
    public void A_row_the_reader_could_not_split_is_reported_without_a_column()
    {
        Mapper().Map(new SourceRow(5, [], "the row has 3 fields, the header has 8"), out var problem).Should().BeNull();

        problem!.Format("f.csv").Should().Be("f.csv:5: the row has 3 fields, the header has 8");
    }

    [Fact]
    public void Content_ids_are_stable_across_formats_and_differ_by_content_and_label()
    {
        // The id Ingestion derives for the record the mapper sends (ids are kept per dataset by Ingestion's store).
        string Id(RecordMapper mapper, params object?[] cells) => Cascade.Ingestion.Domain.RecordIds.For(mapper.Map(Row(1, cells), out _)!);
        var csv = Id(Mapper(), "d1", "2026-01-31T12:00:00Z", "21.50", "3", "n", "1", "0", "");

        Id(Mapper(), "d1", new DateTime(2026, 1, 31, 12, 0, 0, DateTimeKind.Utc), 21.5, 3L, "n", true, 0.0, null)
            .Should().Be(csv, "the same values typed by Parquet are the same record");
        Id(Mapper(), "d1", "2026-01-31T12:00:00Z", "21.50", "3", "n", "1", "1", "")
            .Should().Be(csv, "the label is not part of the record without --labels");
        Id(Mapper(), "d1", "2026-01-31T12:00:00Z", "21.51", "3", "n", "1", "0", "").Should().NotBe(csv);
        Id(Mapper(), "d2", "2026-01-31T12:00:00Z", "21.50", "3", "n", "1", "0", "").Should().NotBe(csv);
        Id(Mapper(), "d1", "2026-01-31T12:00:01Z", "21.50", "3", "n", "1", "0", "").Should().NotBe(csv);
        Id(Mapper(labels: true), "d1", "2026-01-31T12:00:00Z", "21.50", "3", "n", "1", "0", "").Should().NotBe(csv, "a labeled record is another record");
    }

    [Fact]
    public void With_an_id_column_the_record_id_is_its_value_and_an_empty_one_is_refused()
    {
        Mapper(idColumn: "uid").Map(Row(1, "d1", "2026-01-31", "1", "", "", "", "", "order-17"), out _)!.RecordId.Should().Be("order-17");

        Mapper(idColumn: "uid").Map(Row(3, "d1", "2026-01-31", "1", "", "", "", "", ""), out var problem).Should().BeNull();
        problem!.Format("f.csv").Should().Be("f.csv:3: column uid: the record id (--id-column) is empty");
    }
}
