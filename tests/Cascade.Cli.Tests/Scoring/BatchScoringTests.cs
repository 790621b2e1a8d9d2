using Cascade.Cli.Scoring;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Offline;
using Parquet;
using Parquet.Schema;
using Cascade.Cli.Tests.Ingest;

namespace Cascade.Cli.Tests.Scoring;

/// <summary><c>cascade score</c>'s streaming core: the same scores as <c>cascade predict</c>, chunk after chunk, from CSV or Parquet to CSV or Parquet.</summary>
public sealed class BatchScoringTests(ScoringModels models) : IClassFixture<ScoringModels>, IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("binary", 1000)]
    [InlineData("binary", 7)]
    [InlineData("multiclass", 13)]
    public async Task Csv_scores_are_exactly_what_predict_writes_whatever_the_chunk_size(string model, int chunkRows)
    {
        var artifact = model == "binary" ? models.Binary : models.Multiclass;
        var input = _files.Write("rows.csv", ScoringModels.Rows(250, seed: 8, withLabel: true));
        var predicted = _files.PathOf("predict.csv");
        CsvPrediction.Run(artifact.Directory, input, predicted, PredictionEngine.Compiled);

        var rows = await BatchScoring.RunAsync(artifact, input, _files.PathOf("scores.csv"), progress: null, CancellationToken.None, chunkRows);

        rows.Should().Be(250);
        File.ReadAllText(_files.PathOf("scores.csv")).Should().Be(File.ReadAllText(predicted).ReplaceLineEndings("\n"));
        File.Exists(_files.PathOf("scores.csv.partial")).Should().BeFalse();
    }

    [Fact]
    public async Task Parquet_in_and_out_gives_the_evaluators_scores_in_input_order()
    {
        // Typed columns as Parquet writers produce them: doubles with nulls, a float, a long; the label is ignored.
        var random = new Random(2);
        const int count = 300;
        var a = Enumerable.Range(0, count).Select(i => i % 9 == 0 ? (double?)null : random.NextDouble() * 4 - 2).ToArray();
        var b = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 100)).ToArray();
        var c = Enumerable.Range(0, count).Select(_ => (long)random.Next(0, 4)).ToArray();
        var input = _files.PathOf("rows.parquet");
        await using (var file = await ParquetFiles.CreateAsync(input, new DataField<double?>("a"), new DataField<float>("b"), new DataField<long>("c"), new DataField<long>("label")))
        {
            // Two row groups: the reader streams one at a time.
            await file.RowGroupAsync(a[..100], b[..100], c[..100], new long[100]);
            await file.RowGroupAsync(a[100..], b[100..], c[100..], new long[200]);
        }
        var output = _files.PathOf("scores.parquet");
        ScoringProgress? last = null;

        var rows = await BatchScoring.RunAsync(models.Multiclass, input, output, new SynchronousProgress(p => last = p), CancellationToken.None, chunkRows: 64);

        rows.Should().Be(count);
        last.Should().Be(new ScoringProgress(count, count, count, "rows"));
        var features = Enumerable.Range(0, count).SelectMany(i => new[] { (float)(a[i] ?? double.NaN), b[i], c[i] }).ToArray();
        var expected = new float[count * 3];
        models.Multiclass.Compiled.PredictBatch(features, count, expected);
        var columns = await ReadParquetAsync(output);
        columns.Keys.Should().Equal("class_0", "class_1", "class_2");
        for (var r = 0; r < count; r++)
        {
            for (var k = 0; k < 3; k++)
            {
                columns[$"class_{k}"][r].Should().Be(expected[r * 3 + k], $"row {r}, class {k}");
            }
        }
    }

    [Fact]
    public async Task A_missing_feature_column_is_named_and_nothing_is_written()
    {
        var input = _files.Write("rows.csv", "a,c,label\n1,2,0\n");

        var score = () => BatchScoring.RunAsync(models.Binary, input, _files.PathOf("scores.csv"), null, CancellationToken.None);

        (await score.Should().ThrowAsync<ScoringException>()).WithMessage("*the model needs column(s) b, which the file lacks*");
        File.Exists(_files.PathOf("scores.csv")).Should().BeFalse();
    }

    [Fact]
    public async Task A_column_that_is_not_a_feature_is_refused_like_predict_refuses_it()
    {
        var input = _files.Write("rows.csv", "a,b,c,bb\n1,2,3,4\n");

        var score = () => BatchScoring.RunAsync(models.Binary, input, _files.PathOf("scores.csv"), null, CancellationToken.None);

        (await score.Should().ThrowAsync<ScoringException>()).WithMessage("*column(s) bb are not features of the model*");
    }

    [Fact]
    public async Task A_cell_that_is_not_a_number_is_named_by_line_and_column_and_no_partial_output_remains()
    {
        var input = _files.Write("rows.csv", "a,b,c\n1,2,3\n0.5,two,1\n");

        var score = () => BatchScoring.RunAsync(models.Binary, input, _files.PathOf("scores.parquet"), null, CancellationToken.None, chunkRows: 1);

        (await score.Should().ThrowAsync<ScoringException>()).WithMessage("*line 3, column 'b': 'two' is not a number*");
        File.Exists(_files.PathOf("scores.parquet")).Should().BeFalse();
        File.Exists(_files.PathOf("scores.parquet.partial")).Should().BeFalse();
    }

    [Fact]
    public async Task An_output_that_is_neither_csv_nor_parquet_is_refused()
    {
        var input = _files.Write("rows.csv", "a,b,c\n1,2,3\n");

        var score = () => BatchScoring.RunAsync(models.Binary, input, _files.PathOf("scores.json"), null, CancellationToken.None);

        (await score.Should().ThrowAsync<ScoringException>()).WithMessage("*'.json'*name the file *.csv or *.parquet*");
    }

    private static async Task<Dictionary<string, List<float>>> ReadParquetAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var columns = reader.Schema.GetDataFields().ToDictionary(f => f.Name, _ => new List<float>());
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            foreach (var field in reader.Schema.GetDataFields())
            {
                var values = new float[group.RowCount];
                await group.ReadAsync(field, values.AsMemory());
                columns[field.Name].AddRange(values);
            }
        }
        return columns;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, so the last report could arrive after the run).</summary>
    private sealed class SynchronousProgress(Action<ScoringProgress> report) : IProgress<ScoringProgress>
    {
        public void Report(ScoringProgress value) => report(value);
    }
}
