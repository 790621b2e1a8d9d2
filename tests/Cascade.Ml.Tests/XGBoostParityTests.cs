using System.Globalization;
using Cascade.Ml.Data;
using Cascade.Ml.Metrics;
using Cascade.Ml.Offline;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests;

/// <summary>Cascade's training and both prediction engines against Debian's python3-xgboost, bit for bit.</summary>
public class XGBoostParityTests(ReferenceData reference) : IClassFixture<ReferenceData>
{
    public static TheoryData<string, string> Cases => new()
    {
        { "synthetic", "compiled" }, { "synthetic", "xgboost" },
        { "breast_cancer", "compiled" }, { "breast_cancer", "xgboost" },
        { "diabetes", "compiled" }, { "diabetes", "xgboost" },
        { "digits", "compiled" }, { "digits", "xgboost" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Train_then_predict_matches_python_xgboost_bit_for_bit(string dataSet, string engine)
    {
        var folder = reference.Folder(dataSet);
        var modelDirectory = Path.Combine(folder, $"model-{engine}");
        var output = Path.Combine(folder, $"predictions-{engine}.csv");
        var (parameters, rounds) = reference.Parameters(dataSet);

        CsvTraining.Run(Path.Combine(folder, "train.csv"), "label", modelDirectory, new TrainingOptions { Parameters = parameters, Rounds = rounds });
        CsvPrediction.Run(modelDirectory, Path.Combine(folder, "test.csv"), output, engine == "xgboost" ? PredictionEngine.XGBoost : PredictionEngine.Compiled);

        var ours = File.ReadAllLines(output).Skip(1)
            .Select(l => l.Split(',').Select(v => BitConverter.SingleToUInt32Bits(float.Parse(v, CultureInfo.InvariantCulture))).ToArray()).ToArray();
        var expected = reference.ExpectedBits(dataSet);
        ours.Should().HaveCount(expected.Length);
        for (var row = 0; row < expected.Length; row++)
        {
            ours[row].Should().Equal(expected[row], $"row {row} of {dataSet} must be bit-identical to python-xgboost ({engine} engine)");
        }
    }

    [Theory]
    [InlineData("synthetic")]
    [InlineData("breast_cancer")]
    [InlineData("diabetes")]
    [InlineData("digits")]
    public void Our_metrics_equal_scikit_learn_on_the_same_predictions(string dataSet)
    {
        var test = CsvTable.Read(Path.Combine(reference.Folder(dataSet), "test.csv"), "label");
        var predictions = reference.ExpectedBits(dataSet).SelectMany(r => r).Select(BitConverter.UInt32BitsToSingle).ToArray();
        var (parameters, _) = reference.Parameters(dataSet);
        var numClass = parameters.TryGetValue("num_class", out var classes) ? int.Parse(classes, CultureInfo.InvariantCulture) : 1;

        var ours = ModelMetrics.For(parameters["objective"], test.Labels, predictions, numClass);

        foreach (var (name, value) in reference.SklearnMetrics(dataSet))
        {
            ours[name].Should().BeApproximately(value, Math.Abs(value) * 1e-9 + 1e-12, $"{name} on {dataSet}");
        }
    }
}
