using System.Diagnostics;
using System.Globalization;
using Cascade.Bench.Drift;
using Cascade.Bench.Drift.Detectors;
using Cascade.Bench.Drift.Report;
using Cascade.Bench.Drift.Scoring;
using Cascade.Bench.Drift.Streams;

// Drift detectors on synthetic streams with known drift points: the classic baselines against Cascade's monitor.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.EstimationOnly)
{
    Console.Out.WriteLine($"## Performance estimated without labels ({options.Model}, seed 1)");
    Console.Out.WriteLine();
    PerformanceEstimationReport.Print(Console.Out, options.Model);
    return 0;
}

IReadOnlyList<IBenchDetector> detectors =
[
    .. DetectorCatalog.Baselines(),
    .. DetectorCatalog.Variants().Concat(options.ExtraVariants).Select(v => new CascadeMonitorDetector(v, options.Model)),
];
detectors = detectors.Where(d => options.Detectors.Count == 0 || options.Detectors.Contains(d.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
var streams = StreamCatalog.All(options.StationaryLength)
    .Where(s => options.Streams.Count == 0 || options.Streams.Any(f => s.Name.Contains(f, StringComparison.OrdinalIgnoreCase)))
    .ToArray();
if (detectors.Count == 0 || streams.Length == 0)
{
    Console.Error.WriteLine("Nothing to run: no detector or no stream matches the filters.");
    return 2;
}

var results = new BenchResults(options.Acceptances);
var clock = Stopwatch.StartNew();
foreach (var stream in streams)
{
    // The stationary streams are long enough with one run.
    var runs = stream.Schedule.Shape == DriftShape.None ? 1 : options.Seeds;
    results.Runs[stream.Name] = runs;
    for (var seed = 1UL; seed <= (ulong)runs; seed++)
    {
        var data = LabelledStream.Generate(stream, seed);
        foreach (var detector in detectors)
        {
            var run = detector.Run(data);
            results.Add(stream, detector, run);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{clock.Elapsed:mm\\:ss}] {stream.Name} seed {seed}: {detector.Name} {run.Detections.Count} detection(s)"));
        }
    }
}

var output = Console.Out;
output.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"DriftBench {(args.Length == 0 ? "(defaults)" : string.Join(' ', args))}: {options.Seeds} seed(s) per drifting stream, stationary streams of {options.StationaryLength:N0}, acceptance windows {string.Join(" and ", options.Acceptances)}, Cascade's monitor watching {options.Model}; {Environment.ProcessorCount} cores, .NET {Environment.Version}; {clock.Elapsed.TotalSeconds:F0} s"));
output.WriteLine();
foreach (var detector in results.Detectors) output.WriteLine($"- **{detector.Name}**: {detector.Description}");
output.WriteLine();
output.WriteLine("## Goals");
output.WriteLine();
GoalTable.Print(output, results);
output.WriteLine();
output.WriteLine("## Summary");
output.WriteLine();
ResultTable.PrintSummary(output, results);
output.WriteLine("## What raised Cascade's detections");
output.WriteLine();
ResultTable.PrintCauses(output, results);
output.WriteLine($"## The loss signal at the first drift ({options.Model}, seed 1)");
output.WriteLine();
LossSignal.Print(output, results.Streams, options.Model);
output.WriteLine($"## Performance estimated without labels ({options.Model}, seed 1)");
output.WriteLine();
PerformanceEstimationReport.Print(output, options.Model);
output.WriteLine("## Per stream");
output.WriteLine();
ResultTable.PrintStreams(output, results);
return 0;
