using System.Diagnostics;
using System.Globalization;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Export;
using Cascade.Ml.Onnx;
using Cascade.Ml.Tests.Evaluation;

// Batch scoring of one generated tree ensemble on the compiled evaluator (the CPU path, the reference), on ONNX
// Runtime's CPU provider and on its CUDA provider: rows/s and the largest difference from the evaluator for each.
// Exit 0: the traversal graph ran on CUDA, every node of it there, within 1e-5 of the evaluator. Exit 2: CUDA was not
// used (provider not in this build, no driver or GPU, CUDA's libraries missing, a node left to the CPU). Exit 3: CUDA
// ran but disagreed. --no-gpu runs the CPU rows only and exits 0 (a smoke run on a machine without a GPU).
var options = Args.Parse(args);
Console.WriteLine($"ONNX Runtime {OnnxScorer.RuntimeVersion}; providers in this build: {string.Join(", ", OnnxProviders.Available)}");
Console.WriteLine($"model: {options.Trees} trees of depth ≤ {options.Depth} on {options.Features} features (binary:logistic); {options.Rows:N0} rows in batches of {options.Batch:N0}");

var compiled = CompiledModel.FromXgboostJson(RandomEnsembles.Json(seed: 1, options.Trees, options.Features, options.Depth, leafProbability: 0.05));
var rows = RandomEnsembles.Rows(seed: 2, options.Rows, options.Features);
var ensemble = TreeEnsembleReader.FromCompiled(compiled);
var traversal = OnnxTraversalWriter.Write(ensemble, new Dictionary<string, string>());
var portable = OnnxModelWriter.Write(ensemble, new Dictionary<string, string>());

var reference = new float[options.Rows];
var table = new List<string[]>();
var evaluator = TreeScorers.Create(compiled, TreeEngine.Jit);
var seconds = Time(() => evaluator.PredictBatch(rows, options.Rows, reference));
table.Add(["compiled evaluator (CPU path, 1 thread)", "cpu", Rate(seconds), "0 (reference)", "-"]);

using (var cpu = OnnxScorer.Open(traversal, OnnxDevice.Cpu, options.Features))
{
    table.Add(Row("traversal graph, ONNX Runtime CPU provider (1 thread)", cpu));
}

var exit = 0;
if (options.NoGpu)
{
    Console.WriteLine("--no-gpu: the CUDA rows are skipped.");
}
else
{
    exit = Cuda(options.Device);
}
Print(table);
return exit;

int Cuda(int deviceId)
{
    if (!OnnxProviders.CudaInThisBuild)
    {
        Console.Error.WriteLine("CUDA was not used: the CUDA provider is not in this build (bench/GpuScoring/pack.sh builds with -p:CascadeOnnxRuntime=gpu).");
        return 2;
    }
    var probe = CudaDriver.Probe(deviceId);
    Console.WriteLine($"cuda:{deviceId}: {(probe.Present ? probe.Description : "absent: " + probe.Description)}");
    if (!probe.Present) return 2;
    OnnxScorer scorer;
    try
    {
        scorer = OnnxScorer.Open(traversal, OnnxDevice.Cuda(deviceId), options.Features);
    }
    catch (OnnxDeviceException ex)
    {
        Console.Error.WriteLine($"CUDA was not used: {ex.Message}");
        return 2;
    }
    using (scorer)
    {
        var row = Row($"traversal graph, ONNX Runtime CUDA provider ({probe.Description})", scorer);
        table.Add(row);
        var offGpu = scorer.Placement.Where(p => p.Provider != OnnxProviders.Cuda).ToArray();
        if (scorer.Placement.Count == 0 || offGpu.Length > 0)
        {
            Console.Error.WriteLine($"CUDA was not used for every node: {string.Join(", ", offGpu.Select(p => $"{p.Node} ({p.Operator}) on {p.Provider}"))}");
            return 2;
        }
        if (!(double.Parse(row[3], CultureInfo.InvariantCulture) <= 1e-5))
        {
            Console.Error.WriteLine($"CUDA disagrees with the evaluator by {row[3]} (> 1e-5).");
            return 3;
        }
    }
    // For the record: the portable export (ai.onnx.ml TreeEnsembleRegressor) under the CUDA provider, whose trees ONNX
    // Runtime leaves on the CPU: why batch scoring exports the traversal graph instead.
    using (var portableOnCuda = OnnxScorer.Open(portable, OnnxDevice.Cuda(deviceId), options.Features))
    {
        table.Add(Row("portable export (TreeEnsembleRegressor), CUDA provider", portableOnCuda));
    }
    return 0;
}

string[] Row(string name, OnnxScorer scorer)
{
    var output = new float[options.Rows];
    var batch = Math.Min(options.Batch, options.Rows);
    scorer.PredictBatch(rows.AsSpan(0, batch * options.Features), batch, output.AsSpan(0, batch)); // warm-up: kernels, arenas
    var elapsed = Time(() =>
    {
        for (var first = 0; first < options.Rows; first += batch)
        {
            var count = Math.Min(batch, options.Rows - first);
            scorer.PredictBatch(rows.AsSpan(first * options.Features, count * options.Features), count, output.AsSpan(first, count));
        }
    });
    var worst = 0.0;
    for (var i = 0; i < output.Length; i++) worst = Math.Max(worst, Math.Abs((double)output[i] - reference[i]) / Math.Max(1.0, Math.Abs(reference[i])));
    var offDevice = scorer.Placement.Where(p => p.Provider != scorer.Device.ProviderName).Select(p => p.Operator).Distinct().ToArray();
    return [name, scorer.Device.ToString(), Rate(elapsed), worst.ToString("G3", CultureInfo.InvariantCulture), offDevice.Length == 0 ? "none" : string.Join(" ", offDevice)];
}

string Rate(double elapsedSeconds) => (options.Rows / elapsedSeconds).ToString("N0", CultureInfo.InvariantCulture);

static double Time(Action action)
{
    var stopwatch = Stopwatch.StartNew();
    action();
    return stopwatch.Elapsed.TotalSeconds;
}

static void Print(List<string[]> table)
{
    string[] header = ["scorer", "device", "rows/s", "max |diff| (rel.)", "nodes off the device"];
    var widths = header.Select((h, c) => table.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
    Console.WriteLine(string.Join(" | ", header.Select((h, c) => h.PadRight(widths[c]))));
    Console.WriteLine(string.Join("-|-", widths.Select(w => new string('-', w))));
    foreach (var row in table) Console.WriteLine(string.Join(" | ", row.Select((v, c) => c is 2 or 3 ? v.PadLeft(widths[c]) : v.PadRight(widths[c]))));
}

/// <summary>--rows N --trees N --depth N --features N --batch N --device N --no-gpu.</summary>
internal sealed record Args(int Rows, int Trees, int Depth, int Features, int Batch, int Device, bool NoGpu)
{
    public static Args Parse(string[] args)
    {
        int Value(string name, int fallback, int least)
        {
            var at = Array.IndexOf(args, name);
            if (at < 0) return fallback;
            return at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= least
                ? value
                : throw new ArgumentException($"{name} takes a whole number of at least {least}.");
        }
        return new Args(Value("--rows", 1_000_000, 1), Value("--trees", 500, 1), Value("--depth", 8, 1), Value("--features", 32, 1), Value("--batch", 65_536, 1), Value("--device", 0, 0), args.Contains("--no-gpu"));
    }
}
