using Cascade.Cli.Scoring;
using Cascade.Cli.Tests.Ingest;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation.Categorical;
using Cascade.Ml.Offline;
using Cascade.Ml.Training;
using Parquet.Schema;

namespace Cascade.Cli.Tests.Scoring;

/// <summary>
/// A model whose features encode categorical columns: <c>cascade score</c> takes the raw columns (text in CSV, strings
/// or numbers in Parquet) and encodes them with the artifact's vocabulary, as <c>cascade predict</c> does.
/// </summary>
public sealed class CategoricalScoringTests : IDisposable
{
    private static readonly CategoricalColumn Color = CategoricalColumn.Create("color", CategoricalEncoding.OneHot, ["red", "green", "blue"]);
    private static readonly CategoricalColumn Size = CategoricalColumn.Create("size", CategoricalEncoding.Ordinal, ["1", "2", "3"], name: "size_code");
    private static readonly string[] Names = ["x", .. Color.FeatureNames, .. Size.FeatureNames];

    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Raw_categorical_columns_are_encoded_with_the_artifacts_vocabulary_from_csv_and_parquet()
    {
        var artifact = Train();
        var random = new Random(8);
        string?[] colors = ["red", "green", "blue", null, "purple"];
        var rows = Enumerable.Range(0, 60).Select(_ => (X: (float)random.NextDouble(), Color: colors[random.Next(colors.Length)], Size: (long)random.Next(1, 5))).ToArray();
        var csv = _files.Write("rows.csv", "x,color,size\n" + string.Concat(rows.Select(r => $"{r.X.ToString("R", System.Globalization.CultureInfo.InvariantCulture)},{r.Color},{r.Size}\n")));
        var predicted = _files.PathOf("predict.csv");
        CsvPrediction.Run(artifact.Directory, csv, predicted, PredictionEngine.Compiled);

        await BatchScoring.RunAsync(artifact, csv, _files.PathOf("from-csv.csv"), null, CancellationToken.None, chunkRows: 16);

        File.ReadAllText(_files.PathOf("from-csv.csv")).Should().Be(File.ReadAllText(predicted), "the same encoding of the same raw cells");

        // In Parquet the ordinal column is a number column: its values are matched as invariant text ("2").
        var parquet = _files.PathOf("rows.parquet");
        await using (var file = await ParquetFiles.CreateAsync(parquet, new DataField<double>("x"), new DataField<string>("color"), new DataField<long>("size")))
        {
            await file.RowGroupAsync(rows.Select(r => (double)r.X).ToArray(), rows.Select(r => r.Color).ToArray(), rows.Select(r => r.Size).ToArray());
        }
        await BatchScoring.RunAsync(artifact, parquet, _files.PathOf("from-parquet.csv"), null, CancellationToken.None);
        var fromParquet = File.ReadAllLines(_files.PathOf("from-parquet.csv"));
        var fromCsv = File.ReadAllLines(predicted);
        fromParquet.Should().HaveCount(fromCsv.Length);
        // x is a float32 value both ways: exact as a Parquet double, and as round-trip text in the CSV.
        fromParquet.Should().Equal(fromCsv);
        fromCsv.Skip(1).Distinct().Should().HaveCountGreaterThan(3, "the categories change the scores");
    }

    [Fact]
    public async Task An_encoded_feature_column_instead_of_the_raw_column_is_refused_with_a_hint()
    {
        var artifact = Train();
        var csv = _files.Write("rows.csv", "x,color=red,color=green,color=blue,size\n0.5,1,0,0,2\n");

        var score = () => BatchScoring.RunAsync(artifact, csv, _files.PathOf("s.csv"), null, CancellationToken.None);

        (await score.Should().ThrowAsync<ScoringException>()).WithMessage("*needs column(s) color*the raw categorical value, which the model encodes itself*");
    }

    private ModelArtifact Train()
    {
        var random = new Random(5);
        const int count = 500;
        var features = new float[count * Names.Length];
        var labels = new float[count];
        string?[] colors = ["red", "green", "blue", null];
        for (var r = 0; r < count; r++)
        {
            var color = colors[random.Next(colors.Length)];
            var size = random.Next(1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var row = features.AsSpan(r * Names.Length, Names.Length);
            row[0] = (float)random.NextDouble();
            Color.Encode<float>(color, row.Slice(1, 3));
            Size.Encode<float>(size, row.Slice(4, 1));
            labels[r] = (color == "green" || size == "3") ^ (random.NextDouble() < 0.1) ? 1 : 0;
        }
        var train = new TabularData(features, count, Names, labels);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic", ["max_depth"] = "3" }, Rounds = 10 });
        using var model = result.Model;
        var directory = _files.PathOf("model-" + Guid.NewGuid().ToString("N"));
        ArtifactWriter.Write(directory, result, train, null, "label", [Color, Size]);
        return ModelArtifact.Load(directory);
    }
}
