using System.Diagnostics;
using System.Globalization;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Evaluation.Jit;
using Cascade.Ml.Evaluation.Quantised;
using Cascade.Ml.Evaluation.Vectorised;
using Cascade.Ml.Optimization;
using Cascade.Ml.Training;

// Compiled evaluator vs XGBoost's inplace predict (C API), and Cascade training vs python3-xgboost, in one run.
var quick = args.Contains("--quick");
// --evaluators-only: the prediction measurements alone (one training run, no python3-xgboost comparison).
var evaluatorsOnly = args.Contains("--evaluators-only");
const int Features = 30;
var trainRows = quick ? 20_000 : 100_000;
var rounds = quick ? 30 : 100;
var data = Generate(trainRows, Features, seed: 1);
var parameters = new Dictionary<string, string> { ["objective"] = "binary:logistic", ["max_depth"] = "6", ["eta"] = "0.1", ["nthread"] = "1" };

// Training: ours (DMatrix construction + rounds, like the python side) against python3-xgboost, best of 3 each.
var ours = new List<double>();
TrainedModel? model = null;
for (var i = 0; i < (evaluatorsOnly ? 1 : 3); i++)
{
    model?.Dispose();
    var result = XGBoostTrainer.Train(data, null, new TrainingOptions { Parameters = parameters, Rounds = rounds });
    model = result.Model;
    ours.Add(result.Duration.TotalSeconds);
}
var python = evaluatorsOnly ? double.NaN : PythonTrainingSeconds(data, rounds);

var compiled = CompiledModel.FromXgboostJson(System.Text.Encoding.UTF8.GetString(model!.SaveJson()));
var loadWatch = Stopwatch.StartNew();
var jit = JitCompiledModel.Compile(compiled);
var jitLoadMs = loadWatch.Elapsed.TotalMilliseconds;
loadWatch.Restart();
var quantised = QuantisedModel.From(compiled);
var quantisedLoadMs = loadWatch.Elapsed.TotalMilliseconds;
loadWatch.Restart();
var vectorised = VectorisedModel.From(compiled);
var vectorisedLoadMs = loadWatch.Elapsed.TotalMilliseconds;
var test = Generate(20_000, Features, seed: 2);

// The evaluators and the baseline, in the order of the table; every measurement below gives them turns.
string[] names = ["node table", "IL-compiled", "quantised", "vectorised (the default engine)", "XGBoost inplace predict"];
const int DefaultEngine = 3;
var loadBefore = LoadAverage();
IModelScorer[] scorers = [compiled, jit, quantised, vectorised];

// Single row latency: a different row each call (the same row repeated would train the branch predictor).
var singleCalls = quick ? 20_000 : 100_000;
var latencies = Latency(singleCalls, test,
    [.. scorers.Select(s => (Action<float[], float[]>)((row, output) => s.Predict(row, output))), (row, output) => model.PredictDense(row, 1).CopyTo(output)]);

// Batch throughput.
Action<float[], int, float[]>[] batchPredictors =
    [.. scorers.Select(s => (Action<float[], int, float[]>)((rows, n, output) => s.PredictBatch(rows, n, output))), (rows, n, output) => model.PredictDense(rows, n).CopyTo(output)];
var batch64 = Throughput(test, 64, batchPredictors);
var batch1024 = Throughput(test, 1024, batchPredictors);
var baseline = names.Length - 1;

Console.WriteLine($"Model: binary:logistic, {rounds} trees of depth ≤ 6, {Features} features; training on {trainRows:N0} rows; XGBoost nthread=1 everywhere; {Environment.ProcessorCount} cores; AVX2 gathers: {VectorisedModel.IsHardwareAccelerated}; load average (1, 5, 15 min) before the evaluators: {loadBefore}, after: {LoadAverage()}");
Console.WriteLine();
Console.WriteLine("| measure | Cascade | baseline | ratio | goal |");
Console.WriteLine("|---|---:|---:|---:|---|");
for (var e = 0; e < baseline; e++)
{
    Row($"single row p50 (µs), {names[e]} vs XGBoost inplace predict", latencies[e].P50, latencies[baseline].P50, e == DefaultEngine ? "≤ 0.1×" : "");
}
for (var e = 0; e < baseline; e++)
{
    Row($"single row p99 (µs), {names[e]} vs XGBoost inplace predict", latencies[e].P99, latencies[baseline].P99, "");
}
for (var e = 0; e < baseline; e++)
{
    Row($"batch 64 (rows/s), {names[e]} vs XGBoost", batch64[e], batch64[baseline], "");
}
for (var e = 0; e < baseline; e++)
{
    Row($"batch 1024 (rows/s), {names[e]} vs XGBoost", batch1024[e], batch1024[baseline], e == DefaultEngine ? "≥ 2×" : "");
}
Row("training (s, best of 3), Cascade C API vs python3-xgboost", ours.Min(), python, "≤ 1.1×");
Console.WriteLine();
Console.WriteLine("| evaluator | nodes | bytes per node | model bytes | load (ms) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
Console.WriteLine($"| node table | {compiled.NodeCount:N0} | 16 | {compiled.NodeCount * 16L:N0} | – |");
Console.WriteLine($"| IL-compiled ({jit.MethodCount} methods) | {compiled.NodeCount:N0} | – (machine code) | – | {jitLoadMs:F1} |");
Console.WriteLine($"| quantised | {quantised.NodeCount:N0} | {QuantisedModel.NodeBytes} | {quantised.ModelBytes:N0} (nodes + thresholds) | {quantisedLoadMs:F1} |");
Console.WriteLine($"| vectorised (complete trees) | {compiled.NodeCount:N0} | 8 (inner), 4 (leaf) | {vectorised.ModelBytes:N0} (padded) | {vectorisedLoadMs:F1} |");

// Pruning: the same model cut within AUC budgets measured on fresh rows.
var holdout = Generate(quick ? 2_000 : 5_000, Features, seed: 3);
var modelJson = System.Text.Encoding.UTF8.GetString(model.SaveJson());
Console.WriteLine();
Console.WriteLine($"Pruning (drop rounds, merge sibling leaves) within an AUC budget on {holdout.Rows:N0} holdout rows:");
Console.WriteLine();
Console.WriteLine("| AUC budget | trees | nodes | model.json bytes | quantised bytes | single row p50 (µs, default engine) | batch 1024 (rows/s, default engine) | holdout AUC |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var budget in new double?[] { null, 0.0005, 0.001, 0.005 })
{
    var json = budget is { } maxLoss ? EnsemblePruner.Prune(modelJson, holdout, new PruningBudget("auc", maxLoss)).Json : modelJson;
    var pruned = CompiledModel.FromXgboostJson(json);
    var footprint = ModelFootprint.Measure(pruned, System.Text.Encoding.UTF8.GetByteCount(json), test);
    var prunedScorer = TreeScorers.Create(pruned);
    var batch = Throughput(test, 1024, (rows, n, output) => prunedScorer.PredictBatch(rows, n, output))[0];
    var auc = EnsemblePruner.Score(pruned, holdout, "auc");
    Console.WriteLine($"| {(budget is null ? "unpruned" : budget.Value.ToString("G", CultureInfo.InvariantCulture))} | {footprint.Trees} | {footprint.Nodes:N0} | {footprint.ModelJsonBytes:N0} | {footprint.QuantisedBytes:N0} | {footprint.LatencyMicroseconds:F2} | {batch:N0} | {auc:F5} |");
}
model.Dispose();
return 0;

static void Row(string name, double ours, double baseline, string goal) =>
    Console.WriteLine($"| {name} | {Format(ours)} | {Format(baseline)} | {(ours / baseline).ToString("F2", CultureInfo.InvariantCulture)}× | {goal} |");

static string Format(double value) => value >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("F2", CultureInfo.InvariantCulture);

static TabularData Generate(int rows, int columns, int seed)
{
    var random = new Random(seed);
    var features = new float[rows * columns];
    var labels = new float[rows];
    for (var r = 0; r < rows; r++)
    {
        double margin = 0;
        for (var c = 0; c < columns; c++)
        {
            var value = (float)(random.NextDouble() * 2 - 1);
            features[r * columns + c] = random.NextDouble() < 0.02 ? float.NaN : value;
            margin += (c % 3 == 0 ? 1.0 : -0.3) * value * (c % 5 == 0 ? value : 1);
        }
        labels[r] = margin + random.NextDouble() - 0.5 > 0 ? 1 : 0;
    }
    return new TabularData(features, rows, Enumerable.Range(0, columns).Select(c => $"f{c}").ToArray(), labels);
}

// p50 and p99 of each predictor over all its calls; the predictors take turns in rounds of 5,000 calls, so load from
// other processes on the shared machine falls on all of them alike rather than on whichever ran during a burst.
static (double P50, double P99)[] Latency(int calls, TabularData test, params Action<float[], float[]>[] predictors)
{
    const int CallsPerTurn = 5_000;
    var row = new float[test.Columns];
    var output = new float[1];
    var samples = predictors.Select(_ => new double[calls]).ToArray();
    foreach (var predict in predictors)
    {
        for (var i = 0; i < 2000; i++)
        {
            test.Row(i % test.Rows).CopyTo(row);
            predict(row, output);
        }
    }
    for (var turn = 0; turn < calls; turn += CallsPerTurn)
    {
        for (var p = 0; p < predictors.Length; p++)
        {
            for (var i = turn; i < Math.Min(calls, turn + CallsPerTurn); i++)
            {
                test.Row(i % test.Rows).CopyTo(row);
                var start = Stopwatch.GetTimestamp();
                predictors[p](row, output);
                // From raw timestamps: a TimeSpan rounds to 100 ns ticks, too coarse for a call of under a microsecond.
                samples[p][i] = (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency;
            }
        }
    }
    return samples.Select(s =>
    {
        Array.Sort(s);
        return (s[calls / 2], s[(int)(calls * 0.99)]);
    }).ToArray();
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

// Rows per second of each predictor from its fastest batch, the predictors taking turns batch by batch. On a shared
// machine other processes take the core away at random moments, and a batch that lasts longer than a time slice is
// rarely left alone: its median would measure the machine's load, not the predictor. The fastest of hundreds of
// batches is one that ran undisturbed; taking turns gives every predictor the same chances of one.
static double[] Throughput(TabularData test, int batch, params Action<float[], int, float[]>[] predictors)
{
    var rows = new float[batch * test.Columns];
    var output = new float[batch];
    var batches = test.Rows / batch;
    foreach (var predict in predictors)
    {
        predict(test.Features[..rows.Length], batch, output);
    }
    var samples = predictors.Select(_ => new List<double>()).ToArray();
    var stopwatch = Stopwatch.StartNew();
    while (stopwatch.Elapsed < TimeSpan.FromSeconds(1.5 * predictors.Length))
    {
        for (var b = 0; b < batches; b++)
        {
            Array.Copy(test.Features, b * rows.Length, rows, 0, rows.Length);
            for (var p = 0; p < predictors.Length; p++)
            {
                var start = Stopwatch.GetTimestamp();
                predictors[p](rows, batch, output);
                samples[p].Add((Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency);
            }
        }
    }
    return samples.Select(s =>
    {
        return batch / s.Min();
    }).ToArray();
}

static double PythonTrainingSeconds(TabularData data, int rounds)
{
    var path = Path.GetTempFileName();
    try
    {
        using (var file = File.Create(path))
        {
            file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Features.AsSpan()));
            file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Labels.AsSpan()));
        }
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "train_reference.py"), path, data.Rows.ToString(CultureInfo.InvariantCulture), data.Columns.ToString(CultureInfo.InvariantCulture), rounds.ToString(CultureInfo.InvariantCulture)])
            { RedirectStandardOutput = true };
            using var process = Process.Start(start)!;
            var seconds = double.Parse(process.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture);
            process.WaitForExit();
            best = Math.Min(best, seconds);
        }
        return best;
    }
    finally
    {
        File.Delete(path);
    }
}
