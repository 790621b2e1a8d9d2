namespace Cascade.Monitoring.Domain;

/// <summary>What a monitor has seen for the version it watches (a struct: counting a prediction allocates nothing).</summary>
/// <param name="PredictionsSeen">Predictions of the watched version accepted (waiting for labels and counted in rates), repeats included.</param>
/// <param name="PredictionsIgnored">Predictions of other versions (canary, shadow, stale) or before any version was active.</param>
/// <param name="PredictionsDuplicate">Redeliveries (offset not beyond the last one seen).</param>
/// <param name="PredictionsRejected">Malformed predictions (wrong number of features, no output).</param>
/// <param name="LabelsJoined">Labels joined to a waiting prediction.</param>
/// <param name="LabelsUnmatched">Labels that found no waiting prediction (unknown, expired, already labelled) or had no finite value.</param>
/// <param name="Evaluations">Window evaluations run.</param>
/// <param name="AlertsRaised">Alerts emitted (after deduplication).</param>
/// <param name="PredictionsRepeated">Of <paramref name="PredictionsSeen"/>, those not added to the drift window because they
/// repeat their entity's latest record in it (same inputs, same output): the window measures the population of inputs,
/// and an unchanged entity scored again is not a new member of it.</param>
public readonly record struct MonitorCounters(
    long PredictionsSeen = 0,
    long PredictionsIgnored = 0,
    long PredictionsDuplicate = 0,
    long PredictionsRejected = 0,
    long LabelsJoined = 0,
    long LabelsUnmatched = 0,
    long Evaluations = 0,
    long AlertsRaised = 0,
    long PredictionsRepeated = 0);
