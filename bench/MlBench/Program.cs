using System.Diagnostics;
using System.Globalization;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Training;

// Compiled evaluator vs XGBoost's inplace predict (C API), and Cascade training vs python3-xgboost, in one run.
var quick = args.Contains("--quick");
const int Features = 30;
var trainRows = quick ? 20_000 : 100_000;
var rounds = quick ? 30 : 100;
var data = Generate(trainRows, Features, seed: 1);
var parameters = new Dictionary<string, string> { ["objective"] = "binary:logistic", ["max_depth"] = "6", ["eta"] = "0.1", ["nthread"] = "1" };

// Training: ours (DMatrix construction + rounds, like the python side) against python3-xgboost, best of 3 each.
var ours = new List<double>();
TrainedModel? model = null;
for (var i = 0; i < 3; i++)
{
    model?.Dispose();
    var result = XGBoostTrainer.Train(data, null, new TrainingOptions { Parameters = parameters, Rounds = rounds });
    model = result.Model;
    ours.Add(result.Duration.TotalSeconds);
}
var python = PythonTrainingSeconds(data, rounds);

var compiled = CompiledModel.FromXgboostJson(System.Text.Encoding.UTF8.GetString(model!.SaveJson()));
var test = Generate(20_000, Features, seed: 2);

// Single row latency.
var singleCalls = quick ? 20_000 : 100_000;
var compiledLatency = Latency(singleCalls, test, (row, output) => compiled.Predict(row, output));
var xgboostLatency = Latency(singleCalls, test, (row, output) => model.PredictDense(row, 1).CopyTo(output));

// Batch throughput.
var compiled64 = Throughput(test, 64, (rows, n, output) => compiled.PredictBatch(rows, n, output));
var xgboost64 = Throughput(test, 64, (rows, n, output) => model.PredictDense(rows, n).CopyTo(output));
var compiled1024 = Throughput(test, 1024, (rows, n, output) => compiled.PredictBatch(rows, n, output));
var xgboost1024 = Throughput(test, 1024, (rows, n, output) => model.PredictDense(rows, n).CopyTo(output));

Console.WriteLine($"Model: binary:logistic, {rounds} trees of depth ≤ 6, {Features} features; training on {trainRows:N0} rows; XGBoost nthread=1 everywhere; {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| measure | Cascade | baseline | ratio | goal |");
Console.WriteLine("|---|---:|---:|---:|---|");
Row("single row p50 (µs), compiled vs XGBoost inplace predict", compiledLatency.P50, xgboostLatency.P50, "≤ 0.25×");
Row("single row p99 (µs), compiled vs XGBoost inplace predict", compiledLatency.P99, xgboostLatency.P99, "");
Row("batch 64 (rows/s), compiled vs XGBoost", compiled64, xgboost64, "");
Row("batch 1024 (rows/s), compiled vs XGBoost", compiled1024, xgboost1024, "");
Row("training (s, best of 3), Cascade C API vs python3-xgboost", ours.Min(), python, "≤ 1.1×");
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

static (double P50, double P99) Latency(int calls, TabularData test, Action<float[], float[]> predict)
{
    var row = new float[test.Columns];
    var output = new float[1];
    var samples = new double[calls];
    for (var i = 0; i < 2000; i++)
    {
        test.Row(i % test.Rows).CopyTo(row);
        predict(row, output);
    }
    for (var i = 0; i < calls; i++)
    {
        test.Row(i % test.Rows).CopyTo(row);
        var start = Stopwatch.GetTimestamp();
        predict(row, output);
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
    Array.Sort(samples);
    return (samples[calls / 2], samples[(int)(calls * 0.99)]);
}

static double Throughput(TabularData test, int batch, Action<float[], int, float[]> predict)
{
    var rows = new float[batch * test.Columns];
    var output = new float[batch];
    var batches = test.Rows / batch;
    predict(test.Features[..rows.Length], batch, output);
    var stopwatch = Stopwatch.StartNew();
    long predicted = 0;
    while (stopwatch.Elapsed < TimeSpan.FromSeconds(2))
    {
        for (var b = 0; b < batches; b++)
        {
            Array.Copy(test.Features, b * rows.Length, rows, 0, rows.Length);
            predict(rows, batch, output);
            predicted += batch;
        }
    }
    return predicted / stopwatch.Elapsed.TotalSeconds;
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
