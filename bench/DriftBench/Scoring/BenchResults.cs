using Cascade.Bench.Drift.Detectors;
using Cascade.Bench.Drift.Streams;

namespace Cascade.Bench.Drift.Scoring;

/// <summary>Every detector's runs on every stream, scored at each acceptance window.</summary>
public sealed class BenchResults(IReadOnlyList<int> acceptances)
{
    private readonly Dictionary<(string Stream, string Detector, int Acceptance), ScoreTotals> totals = [];
    private readonly List<StreamSpec> streams = [];
    private readonly List<IBenchDetector> detectors = [];
    private readonly Dictionary<(string Detector, string Cause), (int Drifts, int FalseAlarms)> causes = [];

    /// <summary>Acceptance windows, in instances after a drift's end.</summary>
    public IReadOnlyList<int> Acceptances => acceptances;

    public IReadOnlyList<StreamSpec> Streams => streams;

    public IReadOnlyList<IBenchDetector> Detectors => detectors;

    /// <summary>Runs per stream (seeds).</summary>
    public Dictionary<string, int> Runs { get; } = [];

    public void Add(StreamSpec stream, IBenchDetector detector, DetectorRun run)
    {
        if (!streams.Contains(stream)) streams.Add(stream);
        if (!detectors.Contains(detector)) detectors.Add(detector);
        foreach (var acceptance in acceptances)
        {
            var score = DetectionScorer.Score(stream.Schedule, run.Detections, acceptance);
            Totals(stream.Name, detector.Name, acceptance).Add(score, run.Instances, run.Seconds);
            if (acceptance != acceptances.Max()) continue;
            for (var i = 0; i < run.Causes.Count; i++)
            {
                var (drifts, falseAlarms) = causes.GetValueOrDefault((detector.Name, run.Causes[i]));
                causes[(detector.Name, run.Causes[i])] = score.Claimed[i] ? (drifts + 1, falseAlarms) : (drifts, falseAlarms + 1);
            }
        }
    }

    /// <summary>What raised a detector's detections, over every stream, at the widest acceptance window: per cause, the
    /// detections that detected a drift and the false alarms.</summary>
    public IReadOnlyList<(string Cause, int Drifts, int FalseAlarms)> Causes(string detector) =>
        causes.Where(c => c.Key.Detector == detector)
            .Select(c => (c.Key.Cause, c.Value.Drifts, c.Value.FalseAlarms))
            .OrderByDescending(c => c.Drifts + c.FalseAlarms)
            .ToArray();

    /// <summary>The totals of one detector on one stream.</summary>
    public ScoreTotals Totals(string stream, string detector, int acceptance)
    {
        if (!totals.TryGetValue((stream, detector, acceptance), out var found)) totals[(stream, detector, acceptance)] = found = new ScoreTotals();
        return found;
    }

    /// <summary>One detector's totals over every stream of a shape.</summary>
    public ScoreTotals Totals(DriftShape shape, string detector, int acceptance)
    {
        var sum = new ScoreTotals();
        foreach (var stream in streams.Where(s => s.Schedule.Shape == shape)) sum.Add(Totals(stream.Name, detector, acceptance));
        return sum;
    }
}
