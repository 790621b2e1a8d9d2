namespace Cascade.Monitoring.Domain.Alerts;

/// <summary>One statistic held against the threshold it crossed (or the warning threshold when it crossed none).</summary>
/// <param name="Statistic">"psi", "ks_p_value", "jensen_shannon", "wasserstein_normalized", "adwin" or "page_hinkley".</param>
/// <param name="Value">The statistic's value.</param>
/// <param name="Threshold">The threshold it is compared with.</param>
/// <param name="Severity">The level it reached on its own.</param>
/// <param name="Ratio">How far past the warning threshold it is (1 = at the threshold); ranks findings across statistics.</param>
public sealed record StatisticFinding(string Statistic, double Value, double Threshold, AlertSeverity Severity, double Ratio);
