using System.Globalization;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Offline;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests.Export;

/// <summary>
/// Three models trained once by <c>cascade train</c>'s own code on data no other test uses (features of very different
/// scales, 12% missing): binary:logistic, reg:squarederror and multi:softprob with 4 classes.
/// </summary>
public sealed class ExportModels : IDisposable
{
    public const int Features = 6;

    public ExportModels()
    {
        Root = Directory.CreateTempSubdirectory("cascade-export-").FullName;
        Binary = Train("binary", "binary:logistic", 30, y => y > 0 ? 1 : 0);
        Regression = Train("regression", "reg:squarederror", 30, y => y);
        Multiclass = Train("multiclass", "multi:softprob", 12, y => y < -1 ? 0 : y < 0 ? 1 : y < 1 ? 2 : 3, ("num_class", "4"));
    }

    public string Root { get; }

    public ModelArtifact Binary { get; }

    public ModelArtifact Regression { get; }

    public ModelArtifact Multiclass { get; }

    public ModelArtifact this[string objective] => objective switch
    {
        "binary" => Binary,
        "regression" => Regression,
        _ => Multiclass,
    };

    /// <summary>Random rows of the training distribution, a share of cells NaN, row-major.</summary>
    public static float[] RandomRows(int rows, int seed, double missingRate = 0.15)
    {
        var random = new Random(seed);
        var values = new float[rows * Features];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextDouble() < missingRate ? float.NaN : Feature(random, i % Features);
        }
        return values;
    }

    /// <summary>The golden samples' rows, row-major, NaN where missing.</summary>
    public static float[] GoldenRows(ModelArtifact artifact) =>
        artifact.GoldenSamples.SelectMany(s => s.Features.Select(f => f ?? float.NaN)).ToArray();

    private static float Feature(Random random, int column) => column switch
    {
        0 => (float)(random.NextDouble() * 4 - 2),
        1 => (float)(random.NextDouble() * 2000 - 1000),
        2 => (float)(random.NextDouble() * 1e-3),
        3 => random.Next(0, 5),
        4 => (float)(random.NextDouble() * random.NextDouble() * 50),
        _ => (float)(random.NextDouble() - 0.5),
    };

    private ModelArtifact Train(string name, string objective, int rounds, Func<double, double> label, params (string Key, string Value)[] extra)
    {
        var random = new Random(name.Length * 101);
        var csv = Path.Combine(Root, name + ".csv");
        using (var writer = new StreamWriter(csv))
        {
            writer.WriteLine(string.Join(',', Enumerable.Range(0, Features).Select(f => $"x{f}")) + ",label");
            for (var r = 0; r < 1500; r++)
            {
                var row = Enumerable.Range(0, Features).Select(f => Feature(random, f)).ToArray();
                var y = Math.Sin(row[0] * 2) + row[1] / 800 - row[3] * 0.3 + (row[4] > 10 ? 0.8 : -0.2) + row[2] * 300 + random.NextDouble() - 0.5;
                var cells = row.Select(v => random.NextDouble() < 0.12 ? string.Empty : v.ToString("R", CultureInfo.InvariantCulture));
                writer.WriteLine(string.Join(',', cells) + "," + label(y).ToString("R", CultureInfo.InvariantCulture));
            }
        }
        var parameters = new Dictionary<string, string> { ["objective"] = objective, ["max_depth"] = "5", ["eta"] = "0.3", ["nthread"] = "1" };
        foreach (var (key, value) in extra) parameters[key] = value;
        var directory = Path.Combine(Root, name);
        CsvTraining.Run(csv, "label", directory, new TrainingOptions { Parameters = parameters, Rounds = rounds });
        return ModelArtifact.Load(directory);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
