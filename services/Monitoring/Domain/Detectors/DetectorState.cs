namespace Cascade.Monitoring.Domain.Detectors;

/// <summary>A read-only view of a detector for health reports.</summary>
public sealed record DetectorState(string Name, double Estimation, long Width, long Detections, long Updates, double LastStatistic, double LastThreshold)
{
    /// <summary>Captures <paramref name="detector"/> now.</summary>
    public static DetectorState Of(IDriftDetector detector) =>
        new(detector.Name, detector.Estimation, detector.Width, detector.Detections, detector.Updates, detector.LastStatistic, detector.LastThreshold);
}
