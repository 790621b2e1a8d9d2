namespace Cascade.Monitoring.Domain.Segments;

/// <summary>One segment's share of the fairness summary (or the whole traffic's, as <see cref="FairnessSummary.Overall"/>).</summary>
/// <param name="Segment">The segment's name; <c>overall</c> for the whole.</param>
/// <param name="Count">Its predictions in the drift window.</param>
/// <param name="PositiveRate">Binary classifiers: the share of those predicted positive (probability ≥ 0.5); NaN otherwise or when none.</param>
/// <param name="MeanPrediction">The mean first output of those predictions; NaN when none.</param>
/// <param name="Labelled">Its labelled predictions in the performance window.</param>
/// <param name="ErrorRate">Classifiers: the share of those labelled predictions whose predicted class is wrong; NaN for
/// regression or when none is labelled.</param>
/// <param name="Drift">The segment's latest drift verdict against its baseline: none, warning or critical (the overall's is the model's).</param>
public sealed record SegmentSummary(string Segment, int Count, double PositiveRate, double MeanPrediction, int Labelled, double ErrorRate, Alerts.AlertSeverity Drift);
