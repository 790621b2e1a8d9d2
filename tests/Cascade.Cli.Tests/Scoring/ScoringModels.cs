using System.Globalization;
using System.Text;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Offline;
using Cascade.Ml.Training;

namespace Cascade.Cli.Tests.Scoring;

/// <summary>A binary and a 3-class model over features a, b, c (label column <c>label</c>), trained once by <c>cascade train</c>'s code, and the CSV they were trained on.</summary>
public sealed class ScoringModels : IDisposable
{
    public ScoringModels()
    {
        Root = Directory.CreateTempSubdirectory("cascade-score-").FullName;
        TrainingCsv = Path.Combine(Root, "train.csv");
        File.WriteAllText(TrainingCsv, Rows(600, seed: 4, withLabel: true));
        Binary = Train("binary", new() { ["objective"] = "binary:logistic" });
        Multiclass = Train("multiclass", new() { ["objective"] = "multi:softprob", ["num_class"] = "3" });
    }

    public string Root { get; }

    public string TrainingCsv { get; }

    public ModelArtifact Binary { get; }

    public ModelArtifact Multiclass { get; }

    /// <summary>CSV text: a, b, c (about 10% empty = missing) and optionally the label (0, 1 or 2).</summary>
    public static string Rows(int count, int seed, bool withLabel)
    {
        var random = new Random(seed);
        var text = new StringBuilder(withLabel ? "a,b,c,label\n" : "a,b,c\n");
        for (var i = 0; i < count; i++)
        {
            var values = new[] { random.NextDouble() * 4 - 2, random.NextDouble() * 100, random.Next(0, 4) };
            var cells = values.Select(v => random.NextDouble() < 0.1 ? "" : v.ToString("R", CultureInfo.InvariantCulture));
            var label = values[0] + values[1] / 50 - values[2] * 0.4 > 0.5 ? (values[0] > 0 ? 2 : 1) : 0;
            text.Append(string.Join(',', cells)).Append(withLabel ? $",{label}\n" : "\n");
        }
        return text.ToString();
    }

    private ModelArtifact Train(string name, Dictionary<string, string> parameters)
    {
        var directory = Path.Combine(Root, name);
        var csv = TrainingCsv;
        if (parameters["objective"] == "binary:logistic")
        {
            // Binary labels: class 2 counts as 1.
            csv = Path.Combine(Root, "train-binary.csv");
            File.WriteAllLines(csv, File.ReadAllLines(TrainingCsv).Select((l, i) => i == 0 ? l : l[..l.LastIndexOf(',')] + (l.EndsWith(",0", StringComparison.Ordinal) ? ",0" : ",1")));
        }
        parameters["max_depth"] = "4";
        CsvTraining.Run(csv, "label", directory, new TrainingOptions { Parameters = parameters, Rounds = 15 });
        return ModelArtifact.Load(directory);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
