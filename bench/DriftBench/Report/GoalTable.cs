using System.Globalization;
using Cascade.Bench.Drift.Scoring;
using Cascade.Bench.Drift.Streams;

namespace Cascade.Bench.Drift.Report;

/// <summary>
/// Issue 15's goals for each of Cascade's variants: no missed abrupt drift; a mean delay below ADWIN's on the same
/// stream; at most one false alarm per 100,000 instances on the stationary streams.
/// </summary>
public static class GoalTable
{
    public const string Adwin = "adwin";
    public const double MaxFalseAlarmsPer100k = 1.0;

    public static void Print(TextWriter output, BenchResults results)
    {
        var stationary = results.Streams.Where(s => s.Schedule.Shape == DriftShape.None).ToArray();
        var drifting = results.Streams.Where(s => s.Schedule.Shape != DriftShape.None).ToArray();
        var hasAdwin = results.Detectors.Any(d => d.Name == Adwin);
        var columns = new List<string> { "detector" };
        columns.AddRange(results.Acceptances.Select(a => $"abrupt drifts missed @{a}"));
        if (hasAdwin) columns.AddRange(results.Acceptances.Select(a => $"streams with mean delay < ADWIN's @{a}"));
        columns.AddRange(stationary.Select(s => $"false alarms /100k, {s.Name}"));
        columns.Add("goals met");
        output.WriteLine("| " + string.Join(" | ", columns) + " |");
        output.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", columns.Count - 1)));

        foreach (var detector in results.Detectors.Where(d => !d.IsBaseline))
        {
            var cells = new List<string> { detector.Name };
            var met = 0;
            var goals = 0;
            foreach (var a in results.Acceptances)
            {
                var abrupt = results.Totals(DriftShape.Abrupt, detector.Name, a);
                cells.Add(string.Create(CultureInfo.InvariantCulture, $"{abrupt.Missed} of {abrupt.Drifts}"));
                goals++;
                if (abrupt.Drifts > 0 && abrupt.Missed == 0) met++;
            }
            if (hasAdwin)
            {
                foreach (var a in results.Acceptances)
                {
                    var faster = drifting.Count(s => Faster(results.Totals(s.Name, detector.Name, a), results.Totals(s.Name, Adwin, a)));
                    cells.Add(string.Create(CultureInfo.InvariantCulture, $"{faster} of {drifting.Length}"));
                    goals++;
                    if (drifting.Length > 0 && faster == drifting.Length) met++;
                }
            }
            foreach (var s in stationary)
            {
                // No drift to match, so the acceptance window does not matter.
                var rate = results.Totals(s.Name, detector.Name, results.Acceptances[0]).FalseAlarmsPer100k;
                cells.Add(ResultTable.Number(rate, "F2"));
                goals++;
                if (rate <= MaxFalseAlarmsPer100k) met++;
            }
            cells.Add(string.Create(CultureInfo.InvariantCulture, $"{met} of {goals}"));
            output.WriteLine("| " + string.Join(" | ", cells) + " |");
        }
    }

    /// <summary>A detector is faster on a stream when it detected something and its mean delay is below ADWIN's (or ADWIN detected nothing).</summary>
    private static bool Faster(ScoreTotals candidate, ScoreTotals adwin) =>
        candidate.Detected > 0 && (adwin.Detected == 0 || candidate.MeanDelay < adwin.MeanDelay);
}
