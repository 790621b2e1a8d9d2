using System.Text.Json.Nodes;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation.Categorical;
using Cascade.Ml.Offline;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests;

/// <summary>
/// A model whose features encode categorical columns: the manifest's categorical section (round trip, optional,
/// checked), the reference profile's category counts, and <c>cascade predict</c> on raw string cells.
/// </summary>
public sealed class CategoricalArtifactTests : IDisposable
{
    private static readonly CategoricalColumn Color = CategoricalColumn.Create("color", CategoricalEncoding.OneHot, ["red", "green", "blue"]);
    private static readonly CategoricalColumn Size = CategoricalColumn.Create("size", CategoricalEncoding.Ordinal, ["S", "M", "L"], name: "size_code");
    private static readonly string[] Names = ["x", .. Color.FeatureNames, .. Size.FeatureNames];
    private static readonly string?[] Colors = ["red", "green", "blue", null];
    private static readonly string[] Sizes = ["S", "M", "L"];

    private readonly string _root = Directory.CreateTempSubdirectory("cascade-categorical-").FullName;

    /// <summary>Rows encoded as Features would: the label is likely for green or large, whatever x says.</summary>
    private static TabularData Training(int rows)
    {
        var random = new Random(5);
        var features = new float[rows * Names.Length];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var color = Colors[random.Next(Colors.Length)];
            var size = Sizes[random.Next(Sizes.Length)];
            var row = features.AsSpan(r * Names.Length, Names.Length);
            row[0] = (float)random.NextDouble();
            Color.Encode<float>(color, row.Slice(1, 3));
            Size.Encode<float>(size, row.Slice(4, 1));
            labels[r] = (color == "green" || size == "L") ^ (random.NextDouble() < 0.1) ? 1 : 0;
        }
        return new TabularData(features, rows, Names, labels);
    }

    private string WriteArtifact(IReadOnlyList<CategoricalColumn>? categoricals)
    {
        var train = Training(600);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic", ["max_depth"] = "3" }, Rounds = 10 });
        using var model = result.Model;
        var directory = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        ArtifactWriter.Write(directory, result, train, null, "label", categoricals);
        return directory;
    }

    private string Csv(string content)
    {
        var path = Path.Combine(_root, Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void The_manifest_records_each_column_s_encoding_vocabulary_and_features_and_reads_them_back()
    {
        var artifact = ModelArtifact.Load(WriteArtifact([Color, Size]));

        var recorded = artifact.Manifest.Categorical!;
        recorded.Should().HaveCount(2);
        recorded[0].EncodesLike(Color).Should().BeTrue();
        recorded[1].EncodesLike(Size).Should().BeTrue();
        recorded[1].FeatureNames.Should().Equal("size_code");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(artifact.Directory, ArtifactFiles.Manifest)))!["categorical"]!;
        json[0]!["encoding"]!.GetValue<string>().Should().Be("one_hot");
        json[0]!["vocabulary"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("red", "green", "blue");
        json[1]!["feature_names"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("size_code");
    }

    [Fact]
    public void The_reference_profile_counts_the_categories_with_missing_and_unseen_values_apart()
    {
        var profile = ModelArtifact.Load(WriteArtifact([Color, Size])).Profile!;

        var color = profile.Categorical!.Single(c => c.Encoding.Column == "color");
        (color.Counts.Sum() + color.MissingCount).Should().Be(600);
        color.MissingCount.Should().BeInRange(100, 200, "a quarter of the rows have no color");
        profile.Features.Should().HaveCount(Names.Length, "every model input keeps its own profile");
        ReferenceProfile.FromJson(File.ReadAllBytes(Path.Combine(ModelArtifact.Load(WriteArtifact([Color, Size])).Directory, ArtifactFiles.ReferenceProfile))).Categorical.Should().HaveCount(2);
    }

    [Fact]
    public void An_artifact_without_the_categorical_section_still_loads()
    {
        var directory = WriteArtifact(null);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, ArtifactFiles.Manifest)))!.AsObject();
        manifest.Remove("categorical");
        File.WriteAllText(Path.Combine(directory, ArtifactFiles.Manifest), manifest.ToJsonString());

        var artifact = ModelArtifact.Load(directory);

        artifact.Manifest.Categorical.Should().BeNull();
        artifact.Profile!.Categorical.Should().BeNull();
    }

    [Fact]
    public void A_categorical_section_naming_a_feature_the_model_lacks_is_refused()
    {
        var directory = WriteArtifact([Color, Size]);
        var path = Path.Combine(directory, ArtifactFiles.Manifest);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        manifest["categorical"]![1]!["feature_names"] = new JsonArray("size_index");
        File.WriteAllText(path, manifest.ToJsonString());

        var act = () => ModelArtifact.Load(directory);

        act.Should().Throw<ArtifactException>().WithMessage("*'size'*'size_index'*does not have*");
    }

    [Fact]
    public void Predict_encodes_raw_string_cells_with_the_artifact_s_vocabulary()
    {
        var artifact = ModelArtifact.Load(WriteArtifact([Color, Size]));
        // Columns in any order; an unseen color, an empty one, a size the vocabulary lacks.
        var csv = Csv("size,label,color,x\nL,1,green,0.5\nS,0,purple,0.25\nM,0,,0.75\nXL,1,blue,0.1\n");

        var table = CsvPrediction.Encode(artifact, csv);

        table.FeatureNames.Should().Equal(Names);
        Row(table, 0).Should().Equal(0.5f, 0, 1, 0, 2);
        Row(table, 1).Skip(1).Take(3).Should().OnlyContain(v => float.IsNaN(v), "an unseen value is missing in every one-hot feature");
        Row(table, 1)[4].Should().Be(0);
        Row(table, 2).Skip(1).Take(3).Should().OnlyContain(v => float.IsNaN(v), "an empty cell is missing");
        float.IsNaN(Row(table, 3)[4]).Should().BeTrue("XL is not in the ordinal vocabulary");
        Row(table, 3).Skip(1).Take(3).Should().Equal(0f, 0f, 1f);

        var output = Path.Combine(_root, "predictions.csv");
        CsvPrediction.Run(artifact.Directory, csv, output, PredictionEngine.Compiled).Should().Be(4);
        var expected = new float[4];
        artifact.Scorer.PredictBatch(table.Features, 4, expected);
        File.ReadAllLines(output).Skip(1).Select(line => float.Parse(line, System.Globalization.CultureInfo.InvariantCulture)).Should().Equal(expected);
    }

    [Fact]
    public void Predict_asks_for_the_raw_categorical_column_when_the_csv_lacks_it()
    {
        var artifact = ModelArtifact.Load(WriteArtifact([Color, Size]));
        var csv = Csv("x,color=red,color=green,color=blue,size\n0.5,0,1,0,M\n");

        var act = () => CsvPrediction.Encode(artifact, csv);

        act.Should().Throw<CsvFormatException>().WithMessage("*needs feature column(s) color*raw categorical value*");
    }

    private static float[] Row(TabularData table, int row) => table.Row(row).ToArray();

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
