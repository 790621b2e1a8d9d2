namespace Cascade.Monitoring.Domain.Detectors;

/// <summary>A streaming change detector fed one value at a time (here: the per-example loss).</summary>
public interface IDriftDetector
{
    /// <summary>A short lower-case name used in evidence and health reports ("adwin", "page_hinkley").</summary>
    string Name { get; }

    /// <summary>Adds a value; true when this value completed the evidence for a change.</summary>
    bool Update(double value);

    /// <summary>The detector's current estimate of the mean.</summary>
    double Estimation { get; }

    /// <summary>How many values the current estimate rests on.</summary>
    long Width { get; }

    /// <summary>Changes detected since the last reset.</summary>
    long Detections { get; }

    /// <summary>Values seen since the last reset.</summary>
    long Updates { get; }

    /// <summary>The test statistic at the last detection (NaN before any).</summary>
    double LastStatistic { get; }

    /// <summary>The threshold the statistic crossed at the last detection (NaN before any).</summary>
    double LastThreshold { get; }

    /// <summary>Signed change of the mean at the last detection (after minus before); positive means the values grew.</summary>
    double LastChange { get; }

    /// <summary>Forgets everything, as for a newly served model version.</summary>
    void Reset();
}
