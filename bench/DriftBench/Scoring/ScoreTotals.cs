namespace Cascade.Bench.Drift.Scoring;

/// <summary>One detector's scores summed over runs (seeds, or several streams): the table's row.</summary>
public sealed class ScoreTotals
{
    private readonly List<int> delays = [];

    public int Drifts { get; private set; }

    public int Detected => delays.Count;

    public int Missed => Drifts - Detected;

    public int FalseAlarms { get; private set; }

    public long Instances { get; private set; }

    /// <summary>Instances the detector processed and the seconds it took, for throughput.</summary>
    public long ProcessedInstances { get; private set; }

    public double Seconds { get; private set; }

    public void Add(RunScore score, long processed, double seconds)
    {
        Drifts += score.Drifts;
        delays.AddRange(score.Delays);
        FalseAlarms += score.FalseAlarms;
        Instances += score.Instances;
        ProcessedInstances += processed;
        Seconds += seconds;
    }

    public void Add(ScoreTotals other)
    {
        Drifts += other.Drifts;
        delays.AddRange(other.delays);
        FalseAlarms += other.FalseAlarms;
        Instances += other.Instances;
        ProcessedInstances += other.ProcessedInstances;
        Seconds += other.Seconds;
    }

    /// <summary>Mean delay of the detected drifts; NaN when none was.</summary>
    public double MeanDelay => delays.Count == 0 ? double.NaN : delays.Average();

    /// <summary>90th percentile of the delays (nearest rank); NaN when no drift was detected.</summary>
    public double P90Delay
    {
        get
        {
            if (delays.Count == 0) return double.NaN;
            var sorted = delays.Order().ToArray();
            return sorted[(int)Math.Ceiling(0.9 * sorted.Length) - 1];
        }
    }

    public double FalseAlarmsPer100k => Instances == 0 ? double.NaN : FalseAlarms * 100_000.0 / Instances;

    public double InstancesPerSecond => Seconds > 0 ? ProcessedInstances / Seconds : double.NaN;
}
