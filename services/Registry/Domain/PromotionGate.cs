using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Options;

namespace Cascade.Registry.Domain;

/// <summary>
/// Decides promotions on evidence: the candidate and the current champion scored on the <em>same</em> holdout
/// (the candidate's, recorded by the training worker with the champion version it scored). A comparison made
/// against a version that is no longer champion is refused as stale.
/// </summary>
public sealed class PromotionGate(PromotionGateOptions options)
{
    /// <summary>The metric a task is judged on and whether higher is better.</summary>
    public static (string Metric, bool HigherIsBetter) MetricFor(string objective) => objective switch
    {
        "binary:logistic" => ("auc", true),
        "multi:softprob" => ("accuracy", true),
        _ => ("rmse", false),
    };

    public GateDecision Decide(ModelVersionSpec candidate, int championVersion)
    {
        var (metric, higher) = MetricFor(candidate.Objective);
        var holdout = candidate.Holdout ?? new HoldoutEvaluation();
        var decision = new GateDecision { Metric = metric, HigherIsBetter = higher, Margin = options.Margin };
        if (!holdout.CandidateMetrics.TryGetValue(metric, out var value) || !double.IsFinite(value))
        {
            decision.Reason = $"the candidate has no holdout {metric}";
            return decision;
        }
        decision.CandidateValue = value;
        if (championVersion == 0)
        {
            var (passes, floor) = PassesFloor(candidate.Objective, value);
            decision.Passed = passes;
            decision.Reason = passes ? $"first version: holdout {metric} {value:F4} meets the floor {floor}" : $"first version: holdout {metric} {value:F4} misses the floor {floor}";
            return decision;
        }
        if (holdout.ChampionVersion != championVersion)
        {
            decision.Reason = $"stale comparison: the candidate was scored against v{holdout.ChampionVersion}, the champion is v{championVersion}; re-evaluate on the same holdout";
            return decision;
        }
        if (!holdout.ChampionMetrics.TryGetValue(metric, out var champion))
        {
            decision.Reason = $"the champion's holdout {metric} is missing";
            return decision;
        }
        decision.ChampionValue = champion;
        var improvement = higher ? value - champion : champion - value;
        decision.Passed = improvement >= options.Margin;
        decision.Reason = decision.Passed
            ? $"beats champion v{championVersion} on the same holdout: {metric} {value:F4} vs {champion:F4} (margin {options.Margin})"
            : $"does not beat champion v{championVersion} by the margin: {metric} {value:F4} vs {champion:F4} (needs {options.Margin})";
        return decision;
    }

    /// <summary>Whether a near miss (meets the floor, not the margin) should become challenger.</summary>
    public bool IsChallenger(ModelVersionSpec candidate, GateDecision decision) =>
        !decision.Passed && options.ChallengerOnNearMiss && decision.CandidateValue != 0 && PassesFloor(candidate.Objective, decision.CandidateValue).Passes;

    private (bool Passes, string Floor) PassesFloor(string objective, double value) => objective switch
    {
        "binary:logistic" => (value >= options.BinaryAucFloor, $"AUC ≥ {options.BinaryAucFloor}"),
        "multi:softprob" => (value >= options.MulticlassAccuracyFloor, $"accuracy ≥ {options.MulticlassAccuracyFloor}"),
        _ => (options.RegressionRmseCeiling is not { } ceiling || value <= ceiling, options.RegressionRmseCeiling is { } c ? $"RMSE ≤ {c}" : "finite RMSE"),
    };
}
