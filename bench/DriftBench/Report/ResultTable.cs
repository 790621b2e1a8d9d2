using System.Globalization;
using Cascade.Bench.Drift.Scoring;
using Cascade.Bench.Drift.Streams;

namespace Cascade.Bench.Drift.Report;

/// <summary>Prints the results as Markdown tables (pasted as is into docs/monitoring.md).</summary>
public static class ResultTable
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One table per stream: a row per detector, the detection columns once per acceptance window.</summary>
    public static void PrintStreams(TextWriter output, BenchResults results)
    {
        foreach (var stream in results.Streams)
        {
            var runs = results.Runs.GetValueOrDefault(stream.Name);
            var schedule = stream.Schedule;
            var what = schedule.Shape switch
            {
                DriftShape.None => "no drift",
                DriftShape.Abrupt => $"{schedule.Positions.Count} abrupt drifts every {schedule.Positions[0]:N0}",
                _ => $"{schedule.Positions.Count} gradual drifts (width {schedule.Width}) every {schedule.Positions[0]:N0}",
            };
            output.WriteLine(string.Create(Invariant, $"### {stream.Name}: {runs} run(s) × {schedule.Length:N0} instances, {what}"));
            output.WriteLine();
            Header(output, results.Acceptances, "detector");
            foreach (var detector in results.Detectors)
            {
                Row(output, detector.Name, results.Acceptances.Select(a => results.Totals(stream.Name, detector.Name, a)).ToArray());
            }
            output.WriteLine();
        }
    }

    /// <summary>Every detector summed over the abrupt streams, then over the gradual ones.</summary>
    public static void PrintSummary(TextWriter output, BenchResults results)
    {
        foreach (var shape in new[] { DriftShape.Abrupt, DriftShape.Gradual })
        {
            if (!results.Streams.Any(s => s.Schedule.Shape == shape)) continue;
            output.WriteLine($"### All {shape.ToString().ToLowerInvariant()} streams");
            output.WriteLine();
            Header(output, results.Acceptances, "detector");
            foreach (var detector in results.Detectors)
            {
                Row(output, detector.Name, results.Acceptances.Select(a => results.Totals(shape, detector.Name, a)).ToArray());
            }
            output.WriteLine();
        }
    }

    /// <summary>For Cascade's variants: which of the monitor's mechanisms raised the detections, and how many were false alarms.</summary>
    public static void PrintCauses(TextWriter output, BenchResults results)
    {
        var widest = results.Acceptances.Max();
        output.WriteLine($"| detector | raised by | drifts detected @{widest} | false alarms @{widest} |");
        output.WriteLine("|---|---|---:|---:|");
        foreach (var detector in results.Detectors.Where(d => !d.IsBaseline))
        {
            foreach (var (cause, drifts, falseAlarms) in results.Causes(detector.Name))
            {
                output.WriteLine(string.Create(Invariant, $"| {detector.Name} | {cause} | {drifts} | {falseAlarms} |"));
            }
        }
        output.WriteLine();
    }

    private static void Header(TextWriter output, IReadOnlyList<int> acceptances, string first)
    {
        var columns = new List<string> { first, "drifts" };
        foreach (var a in acceptances)
        {
            columns.AddRange([$"detected @{a}", $"missed @{a}", $"mean delay @{a}", $"p90 delay @{a}", $"false alarms /100k @{a}"]);
        }
        columns.Add("instances/s");
        output.WriteLine("| " + string.Join(" | ", columns) + " |");
        output.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", columns.Count - 1)));
    }

    private static void Row(TextWriter output, string name, IReadOnlyList<ScoreTotals> byAcceptance)
    {
        var cells = new List<string> { name, byAcceptance[0].Drifts.ToString(Invariant) };
        foreach (var totals in byAcceptance)
        {
            cells.Add(totals.Detected.ToString(Invariant));
            cells.Add(totals.Missed.ToString(Invariant));
            cells.Add(Number(totals.MeanDelay, "F0"));
            cells.Add(Number(totals.P90Delay, "F0"));
            cells.Add(Number(totals.FalseAlarmsPer100k, "F1"));
        }
        cells.Add(Rate(byAcceptance[0].InstancesPerSecond));
        output.WriteLine("| " + string.Join(" | ", cells) + " |");
    }

    internal static string Number(double value, string format) => double.IsNaN(value) ? "–" : value.ToString(format, Invariant);

    /// <summary>Throughput in thousands or millions, three significant figures.</summary>
    internal static string Rate(double perSecond) => double.IsNaN(perSecond) ? "–"
        : perSecond >= 1e6 ? (perSecond / 1e6).ToString("0.##", Invariant) + " M"
        : (perSecond / 1e3).ToString("0.#", Invariant) + " k";
}
