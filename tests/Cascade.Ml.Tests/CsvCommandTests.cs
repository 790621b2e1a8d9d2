using Cascade.Ml.Data;
using Cascade.Ml.Offline;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests;

public sealed class CsvCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-csv-").FullName;

    private string Csv(string name, string content)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void A_non_numeric_cell_is_reported_with_its_line_and_column()
    {
        var path = Csv("bad.csv", "x,y,label\n1,2,0\n3,oops,1\n");
        var act = () => CsvTable.Read(path, "label");
        act.Should().Throw<CsvFormatException>().WithMessage("*line 3, column 'y': 'oops' is not a number*");
    }

    [Fact]
    public void A_missing_label_column_is_reported_with_the_header()
    {
        var path = Csv("nolabel.csv", "x,y\n1,2\n");
        var act = () => CsvTable.Read(path, "label");
        act.Should().Throw<CsvFormatException>().WithMessage("*label column 'label' is not in the header (x, y)*");
    }

    [Fact]
    public void Empty_cells_are_missing_values()
    {
        var table = CsvTable.Read(Csv("missing.csv", "x,y,label\n,2,0\n3,,1\n"), "label");
        float.IsNaN(table.Features[0]).Should().BeTrue();
        float.IsNaN(table.Features[3]).Should().BeTrue();
        table.Labels.Should().Equal(0f, 1f);
    }

    [Fact]
    public void Predict_with_a_missing_feature_column_fails_and_writes_no_output()
    {
        var train = SyntheticData.WriteCsv(SyntheticData.Binary(300), Path.Combine(_root, "train.csv"));
        var model = Path.Combine(_root, "model");
        CsvTraining.Run(train, "label", model, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 5 });
        var output = Path.Combine(_root, "out.csv");
        var act = () => CsvPrediction.Run(model, Csv("short.csv", "a,b,c,d\n1,2,3,4\n"), output, PredictionEngine.Compiled);
        act.Should().Throw<CsvFormatException>().WithMessage("*needs feature column(s) e*");
        File.Exists(output).Should().BeFalse();
        File.Exists(output + ".partial").Should().BeFalse();
    }

    [Fact]
    public void Predict_matches_columns_by_name_and_ignores_the_label()
    {
        var data = SyntheticData.Binary(300);
        var train = SyntheticData.WriteCsv(data, Path.Combine(_root, "train.csv"));
        var model = Path.Combine(_root, "model");
        CsvTraining.Run(train, "label", model, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 5 });
        var reordered = Csv("reordered.csv", "label,e,d,c,b,a\n1,0.5,0.4,0.3,0.2,0.1\n");
        var inOrder = Csv("inorder.csv", "a,b,c,d,e\n0.1,0.2,0.3,0.4,0.5\n");
        CsvPrediction.Run(model, reordered, Path.Combine(_root, "p1.csv"), PredictionEngine.Compiled);
        CsvPrediction.Run(model, inOrder, Path.Combine(_root, "p2.csv"), PredictionEngine.Compiled);
        File.ReadAllText(Path.Combine(_root, "p1.csv")).Should().Be(File.ReadAllText(Path.Combine(_root, "p2.csv")));
    }

    [Fact]
    public void Multiclass_predictions_have_one_column_per_class()
    {
        var path = Csv("multi.csv", "x,label\n" + string.Join('\n', Enumerable.Range(0, 90).Select(i => $"{i % 3 + (i % 7) * 0.01},{i % 3}")) + "\n");
        var model = Path.Combine(_root, "multi-model");
        CsvTraining.Run(path, "label", model, new TrainingOptions { Parameters = new() { ["objective"] = "multi:softprob", ["num_class"] = "3" }, Rounds = 5 });
        var output = Path.Combine(_root, "multi-out.csv");
        CsvPrediction.Run(model, path, output, PredictionEngine.Compiled);
        var lines = File.ReadAllLines(output);
        lines[0].Should().Be("class_0,class_1,class_2");
        lines.Should().HaveCount(91);
        lines[1].Split(',').Should().HaveCount(3);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
