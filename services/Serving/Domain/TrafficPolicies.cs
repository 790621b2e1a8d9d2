using System.Collections.Concurrent;
using System.Text.Json;

namespace Cascade.Serving.Domain;

/// <summary>How much of a model's traffic its challenger sees.</summary>
/// <param name="CanaryPercent">Share of requests (0–100) the challenger answers instead of the champion.</param>
/// <param name="Shadow">Whether the challenger also scores every request the champion answers, logged but never returned.</param>
public sealed record TrafficPolicy(double CanaryPercent, bool Shadow)
{
    public static readonly TrafficPolicy ChampionOnly = new(0, false);
}

/// <summary>
/// The traffic policy of every model, kept in a small JSON file beside Serving's work directory so a restart keeps
/// routing as the operator left it. Reads are lock-free (the request path asks on every prediction).
/// </summary>
public sealed class TrafficPolicies
{
    private readonly string _path;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, TrafficPolicy> _policies;

    public TrafficPolicies(string path)
    {
        _path = path;
        _policies = File.Exists(path)
            ? new ConcurrentDictionary<string, TrafficPolicy>(JsonSerializer.Deserialize<Dictionary<string, TrafficPolicy>>(File.ReadAllText(path)) ?? [], StringComparer.Ordinal)
            : new ConcurrentDictionary<string, TrafficPolicy>(StringComparer.Ordinal);
    }

    public TrafficPolicy For(string model) => _policies.TryGetValue(model, out var policy) ? policy : TrafficPolicy.ChampionOnly;

    /// <exception cref="ArgumentException">A canary share outside 0–100.</exception>
    public void Set(string model, TrafficPolicy policy)
    {
        Validate(policy);
        lock (_gate)
        {
            _policies[model] = policy;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            var staging = _path + ".tmp";
            File.WriteAllText(staging, JsonSerializer.Serialize(_policies.ToDictionary(p => p.Key, p => p.Value)));
            File.Move(staging, _path, overwrite: true);
        }
    }

    /// <summary>Checks a policy as <see cref="Set"/> does, storing nothing.</summary>
    /// <exception cref="ArgumentException">A canary share outside 0–100.</exception>
    public static void Validate(TrafficPolicy policy)
    {
        if (!double.IsFinite(policy.CanaryPercent) || policy.CanaryPercent is < 0 or > 100)
        {
            throw new ArgumentException($"canary_percent must be between 0 and 100; got {policy.CanaryPercent}.");
        }
    }
}
