using Cascade.Cli.Ingest;
using Parquet.Schema;

namespace Cascade.Cli.Tests.Ingest;

public sealed class ParquetTableReaderTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Rows_of_every_row_group_come_out_numbered_from_one_with_their_column_types_and_nulls()
    {
        var path = _files.PathOf("t.parquet");
        var t0 = new DateTime(2026, 1, 31, 12, 0, 0, DateTimeKind.Utc);
        await using (var file = await ParquetFiles.CreateAsync(path,
            new DataField<string>("id"), new DataField<double?>("x"), new DataField<long>("n"), new DataField<bool>("flag"), new DataField<DateTime>("ts"), new DataField<int>("unused")))
        {
            await file.RowGroupAsync(new string?[] { "a", "b" }, new double?[] { 1.5, null }, new long[] { 1, 2 }, new[] { true, false }, new[] { t0, t0.AddSeconds(1) }, new[] { 7, 8 });
            await file.RowGroupAsync(new string?[] { "c" }, new double?[] { -3 }, new long[] { 3 }, new[] { true }, new[] { t0.AddSeconds(2) }, new[] { 9 });
        }

        await using var reader = await ParquetTableReader.OpenAsync(path, CancellationToken.None);
        reader.Columns.Should().Equal("id", "x", "n", "flag", "ts", "unused");
        reader.Length.Should().Be(3);
        var rows = new List<SourceRow>();
        await foreach (var row in reader.ReadAsync([0, 1, 2, 3, 4], CancellationToken.None)) rows.Add(row);

        rows.Select(r => r.Line).Should().Equal(1, 2, 3);
        rows[0].Cells.Take(5).Should().Equal("a", 1.5, 1L, true, t0);
        rows[1].Cells[1].Should().BeNull("the file holds null there");
        rows[2].Cells.Take(5).Should().Equal("c", -3.0, 3L, true, t0.AddSeconds(2));
        rows.Should().OnlyContain(r => r.Cells[5] == null, "a column nobody asked for is not read");
        reader.Position.Should().Be(3);
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_is_refused()
    {
        var path = _files.Write("fake.parquet", "id,x\n1,2\n");

        var open = () => ParquetTableReader.OpenAsync(path, CancellationToken.None);

        (await open.Should().ThrowAsync<IngestUsageException>()).Which.Message.Should().Contain("not a readable Parquet file");
    }

    public void Dispose() => _files.Dispose();
}
