using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.History;

namespace Cascade.Monitoring.Storage;

/// <summary>One series of one version as stored: its definition and its windows, oldest first.</summary>
public sealed record StoredDriftSeries(int Version, DriftSeriesDefinition Definition, IReadOnlyList<StoredDriftPoint> Points);

/// <summary>One window's statistics in a series; NaN where a statistic does not apply to the series' kind.</summary>
/// <param name="Wasserstein">Normalised by the reference's standard deviation (the value its thresholds apply to).</param>
public sealed record StoredDriftPoint(
    DateTimeOffset WindowEnd, long EndOffset, int Count,
    double Psi, double KsStatistic, double KsPValue, double JensenShannon, double Wasserstein, double ChiSquaredPValue,
    AlertSeverity Severity);
