using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Options;

namespace Cascade.Registry.Retention;

/// <summary>A version whose artifact the policy collects.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="Sha256">Its artifact.</param>
/// <param name="Reason">Why, for the audit log.</param>
public sealed record RetentionDecision(string Model, int Version, string Sha256, string Reason);

/// <summary>
/// Decides which versions' artifacts are collected (pure: no I/O, the clock is an argument). A version is collected
/// only if nothing keeps it (see <see cref="RetentionOptions"/>) and no kept version, of any model, shares its
/// artifact: artifacts are content-addressed, so one blob can back several versions.
/// </summary>
public sealed class RetentionPolicy(RetentionOptions options)
{
    /// <summary>The versions to collect now, oldest first per model; versions collected already are left out.</summary>
    public IReadOnlyList<RetentionDecision> Decide(IReadOnlyCollection<(Model Model, IReadOnlyList<ModelVersion> Versions)> models, DateTimeOffset now)
    {
        var keptArtifacts = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<ModelVersion>();
        foreach (var (model, versions) in models)
        {
            var newest = versions.Select(v => v.Meta.Version).OrderDescending().Take(options.KeepNewest).ToHashSet();
            foreach (var version in versions.Where(v => v.Meta.ArtifactCollectedAt is null).OrderBy(v => v.Meta.Version))
            {
                if (Keeps(model, version, newest, now)) keptArtifacts.Add(version.Spec.ArtifactSha256);
                else candidates.Add(version);
            }
        }
        var reason = $"outside the {options.Describe()}";
        return candidates
            .Where(v => !keptArtifacts.Contains(v.Spec.ArtifactSha256))
            .Select(v => new RetentionDecision(v.Spec.Model, v.Meta.Version, v.Spec.ArtifactSha256, reason))
            .ToArray();
    }

    /// <summary>
    /// Artifacts that only collected versions refer to: the blobs to delete. Includes blobs whose deletion a crash
    /// interrupted after their versions were marked.
    /// </summary>
    public static IReadOnlyList<string> Orphaned(IEnumerable<ModelVersion> allVersions)
    {
        var versions = allVersions.ToArray();
        var referenced = versions.Where(v => v.Meta.ArtifactCollectedAt is null).Select(v => v.Spec.ArtifactSha256).ToHashSet(StringComparer.Ordinal);
        return versions.Where(v => v.Meta.ArtifactCollectedAt is not null).Select(v => v.Spec.ArtifactSha256)
            .Where(sha => !referenced.Contains(sha)).Distinct(StringComparer.Ordinal).ToArray();
    }

    private bool Keeps(Model model, ModelVersion version, HashSet<int> newest, DateTimeOffset now)
    {
        var number = version.Meta.Version;
        return version.Meta.Aliases.Count > 0
            || number == model.ChampionVersion || number == model.ChallengerVersion || number == model.LatestVersion
            || version.Meta.Status is VersionStatus.Champion or VersionStatus.Challenger
            || newest.Contains(number)
            || version.Meta.CreatedAt is null
            || now - version.Meta.CreatedAt.ToDateTimeOffset() < options.KeepYoungerThan;
    }
}
