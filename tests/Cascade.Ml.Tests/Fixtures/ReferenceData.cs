using System.Diagnostics;
using System.Globalization;

namespace Cascade.Ml.Tests.Fixtures;

/// <summary>
/// Runs <c>reference_xgboost.py</c> once with Debian's python3-xgboost and scikit-learn (<c>/usr/bin/python3</c>):
/// data sets as CSV, XGBoost's own predictions as bit patterns, and scikit-learn's metrics.
/// </summary>
public sealed class ReferenceData : IDisposable
{
    public ReferenceData()
    {
        Root = Directory.CreateTempSubdirectory("cascade-ml-reference-").FullName;
        var script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "reference_xgboost.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, Root]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException("reference_xgboost.py failed (needs Debian's python3-xgboost and python3-sklearn): " + stderr.Result);
        }
    }

    public string Root { get; }

    public string Folder(string dataSet) => Path.Combine(Root, dataSet);

    /// <summary>The parameters and rounds the reference was trained with.</summary>
    public (Dictionary<string, string> Parameters, int Rounds) Parameters(string dataSet)
    {
        var parameters = File.ReadAllLines(Path.Combine(Folder(dataSet), "params.txt"))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var rounds = int.Parse(parameters["rounds"], CultureInfo.InvariantCulture);
        parameters.Remove("rounds");
        parameters["nthread"] = "1";
        return (parameters, rounds);
    }

    /// <summary>python-xgboost's predictions as float32 bit patterns, row by row.</summary>
    public uint[][] ExpectedBits(string dataSet) =>
        File.ReadAllLines(Path.Combine(Folder(dataSet), "expected.txt"))
            .Select(l => l.Split(' ').Select(h => uint.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    /// <summary>scikit-learn's metrics of the reference predictions.</summary>
    public Dictionary<string, double> SklearnMetrics(string dataSet) =>
        File.ReadAllLines(Path.Combine(Folder(dataSet), "metrics.txt"))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
