using System.Diagnostics;
using System.Globalization;
using Cascade.Bench.EventLog;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;

// Appends records of about 300 bytes (the size of a logged prediction), keyed by one of 8 models as Serving's
// prediction log keys them, to an embedded log in a temporary file, in batches of 1, 20, 100 and 1,000. Per record:
// CPU of the appending thread, CPU of the whole process, bytes allocated (all threads), and records/s. Each batch size
// gets a fresh file; rounds alternate the sizes and the table gives the median round with the range.
// Options: --records N (default 200,000 per batch size; a tenth of it in batches of 1), --rounds R (3),
// --batches 1,20,100,1000; --fairness N adds, per round, one append of N records and the latency of 1-record appends
// to another topic while it is written.
var records = Option("--records", 200_000);
var rounds = Option("--rounds", 3);
// --fairness alone measures only that; with --batches, both.
int[] batchSizes = args.Contains("--fairness") && !args.Contains("--batches") ? [] : Sizes("--batches", [1, 20, 100, 1_000]);

var payloads = Enumerable.Range(0, 1_000).Select(i =>
{
    var bytes = new byte[300];
    new Random(i).NextBytes(bytes);
    return new OutgoingRecord($"model-{i % 8}", bytes);
}).ToArray();

var results = batchSizes.ToDictionary(size => size, _ => new List<Measurement>());
for (var round = 1; round <= rounds; round++)
{
    foreach (var size in batchSizes)
    {
        // Batches of one cost a transaction each: a tenth of the records keeps the run short.
        var count = size == 1 ? records / 10 : records;
        var measurement = await MeasureAsync(size, count);
        results[size].Add(measurement);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round}, batches of {size}: {measurement.ThreadMicroseconds:F2} µs thread CPU, {measurement.ProcessMicroseconds:F2} µs process CPU, {measurement.AllocatedBytes:F0} B per record, {measurement.RecordsPerSecond:N0} records/s"));
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Embedded event log append, {Environment.ProcessorCount} cores, records of 300 bytes, median of {rounds} rounds (range)"));
if (batchSizes.Length > 0)
{
    Console.WriteLine();
    Console.WriteLine("| batch | records | thread CPU / record (µs) | process CPU / record (µs) | allocated / record (B) | records/s |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
    foreach (var (size, measured) in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {size:N0} | {measured[0].Records:N0} | {Cell(measured, m => m.ThreadMicroseconds, "F2")} | {Cell(measured, m => m.ProcessMicroseconds, "F2")} | {Cell(measured, m => m.AllocatedBytes, "F0")} | {Cell(measured, m => m.RecordsPerSecond, "N0")} |"));
    }
}
if (Option("--fairness", 0) is var largeRecords and > 0)
{
    Console.WriteLine();
    Console.WriteLine("| large append (records) | its duration (ms) | 1-record appends to another topic meanwhile | their median latency (ms) | p99 (ms) | max (ms) |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
    for (var round = 1; round <= rounds; round++)
    {
        var result = await FairnessRun.RunAsync(payloads, largeRecords);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {result.LargeRecords:N0} | {result.LargeMilliseconds:F0} | {result.SmallAppends:N0} | {result.SmallMedianMilliseconds:F2} | {result.SmallP99Milliseconds:F2} | {result.SmallMaxMilliseconds:F1} |"));
    }
}
return 0;

async Task<Measurement> MeasureAsync(int batchSize, int count)
{
    var directory = Directory.CreateTempSubdirectory("cascade-eventlog-bench-").FullName;
    try
    {
        await using var log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(directory, "events.db"), DefaultPartitions = 4 });
        var batches = Enumerable.Range(0, payloads.Length / batchSize).Select(b => payloads.AsMemory(b * batchSize, batchSize).ToArray()).ToArray();
        // Warm-up: tiered JIT, the topic's creation, SQLite's page cache.
        for (var i = 0; i < Math.Max(5, 2_000 / batchSize); i++)
        {
            await log.AppendAsync("bench", batches[i % batches.Length]);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var processBefore = process.TotalProcessorTime;
        var threadBefore = ThreadCpuClock.Now();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        var appended = 0;
        for (var i = 0; appended < count; i++)
        {
            var batch = batches[i % batches.Length];
            // An append of one transaction completes on this thread, so the thread's clock sees all of its work.
            await log.AppendAsync("bench", batch);
            appended += batch.Length;
        }
        wall.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var thread = ThreadCpuClock.Now() - threadBefore;
        process.Refresh();
        var processCpu = process.TotalProcessorTime - processBefore;
        return new Measurement(appended, thread.TotalMicroseconds / appended, processCpu.TotalMicroseconds / appended, (double)allocated / appended, appended / wall.Elapsed.TotalSeconds);
    }
    finally
    {
        Directory.Delete(directory, recursive: true);
    }
}

static string Cell(List<Measurement> measured, Func<Measurement, double> value, string format)
{
    var sorted = measured.Select(value).Order().ToArray();
    var median = sorted[sorted.Length / 2];
    return sorted.Length == 1
        ? median.ToString(format, CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{median.ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}–{sorted[^1].ToString(format, CultureInfo.InvariantCulture)})");
}

int[] Sizes(string name, int[] fallback)
{
    var index = Array.IndexOf(args, name);
    if (index < 0) return fallback;
    var sizes = index + 1 < args.Length ? args[index + 1].Split(',') : [];
    return sizes.Length > 0 && sizes.All(s => int.TryParse(s, CultureInfo.InvariantCulture, out var size) && size is >= 1 and <= 1_000)
        ? sizes.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
        : throw new ArgumentException($"{name} takes batch sizes from 1 to 1,000 separated by commas, e.g. 1,20,100,1000.");
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    if (index < 0) return fallback;
    if (index + 1 >= args.Length || !int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) || value < 1)
    {
        throw new ArgumentException($"{name} takes a positive whole number.");
    }
    return value;
}
