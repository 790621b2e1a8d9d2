using Cascade.Bench.Drift.Streams;

namespace Cascade.Bench.Drift.Scoring;

/// <summary>
/// Matches detections to known drifts (Tornado's protocol, Pesaranghader et al.): a drift is detected when a detection
/// falls in [start, end + acceptance), start and end being where its transition begins and is over (the same instant for
/// an abrupt drift); the delay is the detection minus the start; the first such detection is the drift's, and every
/// other detection, inside a drift's window or not, is a false alarm.
/// </summary>
public static class DetectionScorer
{
    public static RunScore Score(DriftSchedule schedule, IReadOnlyList<int> detections, int acceptance)
    {
        var claimed = new bool[detections.Count];
        var delays = new List<int>();
        for (var j = 0; j < schedule.Positions.Count; j++)
        {
            var from = schedule.Start(j);
            var until = schedule.End(j) + acceptance;
            for (var i = 0; i < detections.Count; i++)
            {
                if (claimed[i] || detections[i] < from) continue;
                if (detections[i] >= until) break;
                claimed[i] = true;
                delays.Add(detections[i] - from);
                break;
            }
        }
        return new RunScore(schedule.Positions.Count, delays, detections.Count - delays.Count, schedule.Length) { Claimed = claimed };
    }
}

/// <summary>One detector on one stream at one acceptance window.</summary>
/// <param name="Drifts">Drifts in the stream.</param>
/// <param name="Delays">The delay of each detected drift, in instances.</param>
/// <param name="FalseAlarms">Detections matched to no drift.</param>
/// <param name="Instances">The stream's length.</param>
public sealed record RunScore(int Drifts, IReadOnlyList<int> Delays, int FalseAlarms, long Instances)
{
    /// <summary>For each detection, whether it detected a drift (false: a false alarm).</summary>
    public IReadOnlyList<bool> Claimed { get; init; } = [];
}
