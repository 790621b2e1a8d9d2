namespace Cascade.Monitoring.Domain.Detectors;

/// <summary>A checkpoint of a <see cref="PageHinkley"/> detector.</summary>
public sealed record PageHinkleyState
{
    public required double Mean { get; init; }
    public required long Count { get; init; }
    public required double Sum { get; init; }
    public required double ValuesTotal { get; init; }
    public required double TotalSinceChange { get; init; }
    public required long CountSinceChange { get; init; }
    public required long Updates { get; init; }
    public required long Detections { get; init; }
    public required double LastStatistic { get; init; }
    public required double LastThreshold { get; init; }
    public required double LastChange { get; init; }
}
