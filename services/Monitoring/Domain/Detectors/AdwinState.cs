namespace Cascade.Monitoring.Domain.Detectors;

/// <summary>A checkpoint of an <see cref="Adwin"/> detector.</summary>
public sealed record AdwinState
{
    public required long Width { get; init; }
    public required double Total { get; init; }
    public required double SquaredDeviations { get; init; }
    public required long Updates { get; init; }
    public required long Detections { get; init; }
    public required double LastStatistic { get; init; }
    public required double LastThreshold { get; init; }
    public required double LastChange { get; init; }

    /// <summary>Bucket rows, row i holding buckets of 2ⁱ values, oldest bucket first.</summary>
    public required IReadOnlyList<AdwinRowState> Rows { get; init; }
}

/// <summary>One bucket row of an <see cref="AdwinState"/>.</summary>
public sealed record AdwinRowState
{
    public required IReadOnlyList<double> Totals { get; init; }
    public required IReadOnlyList<double> Variances { get; init; }
}
