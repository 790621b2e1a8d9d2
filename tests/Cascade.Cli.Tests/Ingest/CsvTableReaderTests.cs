using Cascade.Cli.Ingest;

namespace Cascade.Cli.Tests.Ingest;

public sealed class CsvTableReaderTests : IDisposable
{
    private readonly TempFiles _files = new();

    private async Task<(IReadOnlyList<string> Columns, List<SourceRow> Rows)> ReadAsync(string content)
    {
        await using var reader = await CsvTableReader.OpenAsync(_files.Write("t.csv", content), CancellationToken.None);
        var rows = new List<SourceRow>();
        await foreach (var row in reader.ReadAsync(Enumerable.Range(0, reader.Columns.Count).ToArray(), CancellationToken.None)) rows.Add(row);
        reader.Position.Should().Be(reader.Length, "the whole file was read");
        return (reader.Columns, rows);
    }

    [Fact]
    public async Task Quoted_fields_keep_commas_doubled_quotes_and_line_breaks_and_rows_carry_the_line_they_start_on()
    {
        var (columns, rows) = await ReadAsync("id,note,x\n1,\"a, b\",2\n2,\"say \"\"hi\"\"\",3\n3,\"two\nlines\",4\n4,plain,5\n");

        columns.Should().Equal("id", "note", "x");
        rows.Select(r => r.Line).Should().Equal(2, 3, 4, 6);
        rows.Select(r => (string)r.Cells[1]!).Should().Equal("a, b", "say \"hi\"", "two\nlines", "plain");
        rows.Should().OnlyContain(r => r.Problem == null);
    }

    [Fact]
    public async Task CRLF_line_ends_blank_lines_a_byte_order_mark_and_spaces_around_header_names_are_handled()
    {
        var (columns, rows) = await ReadAsync("\uFEFFid , x\r\n1,2\r\n\r\n3,\"4\r\n5\"\r\n6,\r\n");

        columns.Should().Equal("id", "x");
        rows.Select(r => r.Line).Should().Equal(2, 4, 6);
        rows.Select(r => (string)r.Cells[1]!).Should().Equal("2", "4\r\n5", "");
    }

    [Fact]
    public async Task The_last_row_needs_no_line_break_and_a_trailing_comma_is_an_empty_last_field()
    {
        var (_, rows) = await ReadAsync("a,b\n1,\n2,3");

        rows.Select(r => r.Cells.Cast<string>().ToArray()).Should().BeEquivalentTo(new[] { new[] { "1", "" }, new[] { "2", "3" } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task A_row_with_the_wrong_number_of_fields_or_text_after_a_closing_quote_is_a_problem_at_its_line_and_reading_goes_on()
    {
        var (_, rows) = await ReadAsync("a,b\n1,2\n3\n\"x\"y,4\n5,6,7\n8,9\n");

        rows.Select(r => (r.Line, r.Problem != null)).Should().Equal((2L, false), (3L, true), (4L, true), (5L, true), (6L, false));
        rows[1].Problem.Should().Be("the row has 1 fields, the header has 2");
        rows[2].Problem.Should().Contain("field 1: a quoted field must end at its closing quote");
        rows[3].Problem.Should().Be("the row has 3 fields, the header has 2");
        rows[4].Cells.Should().Equal("8", "9");
    }

    [Fact]
    public async Task A_quote_that_is_never_closed_is_reported_at_the_row_it_opens()
    {
        var (_, rows) = await ReadAsync("a,b\n1,2\n3,\"open\n4,5\n");

        rows.Should().HaveCount(2);
        rows[1].Line.Should().Be(3);
        rows[1].Problem.Should().Be("the quoted field opened on line 3 is never closed (the rest of the file was read into it)");
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("a,b,a\n1,2,3\n", "the header names a more than once")]
    [InlineData("a,,b\n", "column 2 of the header has no name")]
    [InlineData("\"a,b\n", "the header is malformed")]
    public async Task A_missing_or_malformed_header_is_refused(string content, string expected)
    {
        var open = () => CsvTableReader.OpenAsync(_files.Write("h.csv", content), CancellationToken.None);

        (await open.Should().ThrowAsync<IngestUsageException>()).Which.Message.Should().Contain(expected);
    }

    [Fact]
    public async Task Files_larger_than_the_read_buffer_are_read_row_by_row_with_exact_lines()
    {
        var text = new System.Text.StringBuilder("id,note\n");
        for (var i = 0; i < 20_000; i++) text.Append(i).Append(i % 1000 == 0 ? ",\"multi\nline\"\n" : ",plain text that fills the buffer\n");
        var (_, rows) = await ReadAsync(text.ToString());

        rows.Should().HaveCount(20_000);
        rows[19_999].Line.Should().Be(2 + 20_000 - 1 + 20, "each of the 20 quoted fields spans one extra line");
        rows[19_999].Cells[0].Should().Be("19999");
    }

    public void Dispose() => _files.Dispose();
}
