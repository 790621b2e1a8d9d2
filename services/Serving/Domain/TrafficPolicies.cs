using System.Collections.Concurrent;

namespace Cascade.Serving.Domain;

/// <summary>How much of a model's traffic its challenger sees.</summary>
/// <param name="CanaryPercent">Share of requests (0–100) the challenger answers instead of the champion.</param>
/// <param name="Shadow">Whether the challenger also scores every request the champion answers, logged but never returned.</param>
public sealed record TrafficPolicy(double CanaryPercent, bool Shadow)
{
    public static readonly TrafficPolicy ChampionOnly = new(0, false);
}

/// <summary>
/// The traffic policy of every model as this replica last heard it from the registry (<see cref="TrafficPolicyFollower"/>
/// applies each <c>TrafficPolicyChanged</c>). Nothing is kept on disk: the registry stores the policies and the log
/// replays them, so every replica routes alike and a moved pod finds them again. Reads are lock-free (the request
/// path asks on every prediction).
/// </summary>
public sealed class TrafficPolicies
{
    private readonly ConcurrentDictionary<string, Applied> _policies = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record Applied(TrafficPolicy Policy, long Revision);

    public TrafficPolicy For(string model) => _policies.TryGetValue(model, out var applied) ? applied.Policy : TrafficPolicy.ChampionOnly;

    /// <summary>The registry revision of the policy applied for <paramref name="model"/> (0: none yet).</summary>
    public long RevisionOf(string model) => _policies.TryGetValue(model, out var applied) ? applied.Revision : 0;

    /// <summary>
    /// Applies the policy the registry stored as <paramref name="revision"/>, unless a later one is applied already
    /// (a copy the outbox sent twice, or a replay racing a newer event). Returns whether it changed anything.
    /// </summary>
    public bool Apply(string model, TrafficPolicy policy, long revision)
    {
        lock (_gate)
        {
            if (RevisionOf(model) >= revision) return false;
            _policies[model] = new Applied(policy, revision);
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.SetResult();
            return true;
        }
    }

    /// <summary>Completes once the policy of <paramref name="revision"/> (or a later one) is applied for <paramref name="model"/>.</summary>
    public async Task WaitForAsync(string model, long revision, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (RevisionOf(model) >= revision) return;
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Checks a policy as the registry does, storing nothing (validate-only calls answer without the registry).</summary>
    /// <exception cref="ArgumentException">A canary share outside 0–100.</exception>
    public static void Validate(TrafficPolicy policy)
    {
        if (!double.IsFinite(policy.CanaryPercent) || policy.CanaryPercent is < 0 or > 100)
        {
            throw new ArgumentException($"canary_percent must be between 0 and 100; got {policy.CanaryPercent}.");
        }
    }
}
