using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Cascade.Ml.Export;
using Cascade.Ml.Offline;
using Cascade.Ml.Onnx;
using Cascade.Ml.Training;
using Xunit.Abstractions;

namespace Cascade.Ml.Tests.Export;

/// <summary>
/// Issue 17's check of the exports: on a CSV no other test has seen, a model trained as <c>cascade train … --rounds 80</c>
/// trains it, exported to C (compiled with gcc) and to ONNX (run in ONNX Runtime), predicts what Debian's
/// python3-xgboost predicts with the same model file: to 1e-6 for C, 1e-5 for ONNX.
/// </summary>
public sealed class PythonXgboostExportParityTests(ITestOutputHelper output)
{
    private const int Features = 9;

    // python3-xgboost loads the artifact's model file and predicts the rows (float32, row-major, NaN = missing).
    private const string Reference = """
        import sys
        import numpy as np
        import xgboost as xgb
        model, rows, features, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
        booster = xgb.Booster(model_file=model)
        booster.set_param({"nthread": 1})
        X = np.fromfile(rows, dtype=np.float32).reshape(-1, features)
        booster.predict(xgb.DMatrix(X, missing=np.nan)).astype(np.float32).tofile(out)
        """;

    [Fact]
    public void C_and_onnx_exports_match_python_xgboost_on_unseen_data()
    {
        var root = Directory.CreateTempSubdirectory("cascade-export-parity-").FullName;
        try
        {
            var (train, test) = WriteUnseenData(root);
            var artifact = Path.Combine(root, "model");
            CsvTraining.Run(train, "label", artifact, new TrainingOptions
            {
                Parameters = new Dictionary<string, string> { ["objective"] = "binary:logistic", ["max_depth"] = "6", ["eta"] = "0.1", ["nthread"] = "1" },
                Rounds = 80,
            });
            var rowsFile = Path.Combine(root, "test.f32");
            File.WriteAllBytes(rowsFile, MemoryMarshal.AsBytes(test.AsSpan()).ToArray());
            var expected = PythonPredict(Path.Combine(artifact, "model.ubj"), rowsFile, root);
            expected.Should().HaveCount(test.Length / Features);

            var c = Path.Combine(root, "model.c");
            ModelExporter.Export(artifact, ExportFormat.C, c);
            var (_, _, fromC) = CompiledC.Build(c, root).Predict(test);

            var onnx = Path.Combine(root, "model.onnx");
            ModelExporter.Export(artifact, ExportFormat.Onnx, onnx);
            using var scorer = OnnxScorer.Load(File.ReadAllBytes(onnx));
            var fromOnnx = new float[expected.Length];
            scorer.PredictBatch(test, expected.Length, fromOnnx);

            var cDifference = expected.Select((e, i) => Math.Abs((double)fromC[i] - e)).Max();
            var onnxDifference = expected.Select((e, i) => Math.Abs((double)fromOnnx[i] - e)).Max();
            output.WriteLine($"{expected.Length} rows: max |C − python3-xgboost| = {cDifference:G3}, max |ONNX Runtime − python3-xgboost| = {onnxDifference:G3}");
            cDifference.Should().BeLessThanOrEqualTo(1e-6);
            onnxDifference.Should().BeLessThanOrEqualTo(1e-5);
            expected.Distinct().Should().HaveCountGreaterThan(expected.Length / 2, "80 trees give nearly every row its own probability");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A fresh binary problem: 9 features on different scales, one integer-valued, 10% missing, an interaction in the label.</summary>
    private static (string Train, float[] Test) WriteUnseenData(string root)
    {
        var random = new Random(1717);
        float Feature(int f) => f switch
        {
            0 => (float)(random.NextDouble() * 6 - 3),
            1 => (float)Math.Exp(random.NextDouble() * 8),
            2 => random.Next(0, 12),
            3 => (float)(random.NextDouble() * 0.01),
            _ => (float)(random.NextDouble() * 2 - 1),
        };
        float[] Row() => Enumerable.Range(0, Features).Select(f => random.NextDouble() < 0.1 ? float.NaN : Feature(f)).ToArray();
        var train = Path.Combine(root, "train.csv");
        using (var writer = new StreamWriter(train))
        {
            writer.WriteLine(string.Join(',', Enumerable.Range(0, Features).Select(f => $"v{f}")) + ",label");
            for (var r = 0; r < 3000; r++)
            {
                var row = Row();
                double V(int f) => float.IsNaN(row[f]) ? 0 : row[f];
                var margin = Math.Sin(V(0)) + Math.Log(1 + V(1)) / 4 - 1 - (V(2) > 6 ? 0.7 : 0) + 150 * V(3) * V(4) + V(5) * V(6) + random.NextDouble() - 0.5;
                writer.WriteLine(string.Join(',', row.Select(v => float.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture))) + (margin > 0 ? ",1" : ",0"));
            }
        }
        var test = Enumerable.Range(0, 1000).SelectMany(_ => Row()).ToArray();
        return (train, test);
    }

    private static float[] PythonPredict(string model, string rows, string root)
    {
        var script = Path.Combine(root, "reference.py");
        File.WriteAllText(script, Reference);
        var result = Path.Combine(root, "python.f32");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, model, rows, Features.ToString(CultureInfo.InvariantCulture), result]) { RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit(TimeSpan.FromMinutes(2)).Should().BeTrue();
        process.ExitCode.Should().Be(0, $"python3-xgboost predicts (needs Debian's python3-xgboost): {errors}");
        return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(result)).ToArray();
    }
}
