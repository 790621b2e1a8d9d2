using System.Diagnostics;
using System.Globalization;

namespace Cascade.EndToEnd.Tests.Fixtures;

/// <summary>
/// Runs <c>import_models.py</c> once with Debian's python (<c>/usr/bin/python3</c>: python3-xgboost, python3-onnx, numpy):
/// XGBoost and ONNX model files trained outside Cascade, a labelled sample, probe rows and the outputs python computed.
/// </summary>
public sealed class TrainedElsewhere : IDisposable
{
    public TrainedElsewhere()
    {
        Root = Directory.CreateTempSubdirectory("cascade-trained-elsewhere-").FullName;
        var script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "import_models.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, Root]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)) || process.ExitCode != 0)
        {
            // The script names what is missing (python3-onnx: `apt-get install -y python3-onnx`; test.sh installs it).
            throw new InvalidOperationException("import_models.py failed; it needs Debian's python3-xgboost, python3-numpy and python3-onnx (apt-get install -y python3-onnx): " + stderr.Result);
        }
    }

    public string Root { get; }

    public string File(string name) => Path.Combine(Root, name);

    /// <summary>A CSV without label as row-major float32 values (empty cells are NaN), with its row count.</summary>
    public (float[] Values, int Rows) Rows(string csv)
    {
        var lines = System.IO.File.ReadAllLines(File(csv)).Skip(1).Where(l => l.Length > 0).ToArray();
        var values = lines.SelectMany(l => l.Split(',').Select(c => c.Length == 0 ? float.NaN : float.Parse(c, CultureInfo.InvariantCulture))).ToArray();
        return (values, lines.Length);
    }

    /// <summary>The outputs python computed, one per line.</summary>
    public double[] Expected(string name) =>
        System.IO.File.ReadAllLines(File(name)).Where(l => l.Length > 0).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
