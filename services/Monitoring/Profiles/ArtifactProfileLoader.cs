using System.Collections.Concurrent;
using System.Text.Json;
using Cascade.Ml.Artifacts;
using Cascade.Monitoring.Domain;
using Cascade.Storage.Artifacts;


namespace Cascade.Monitoring.Profiles;

/// <summary>
/// Reads a version's reference profile, objective and segment column (the manifest's <c>monitoring.segment</c>) from
/// its artifact in the content-addressed store (the store verifies the SHA-256), without unpacking or compiling the
/// model. Cached by hash: artifacts never change.
/// </summary>
/// <remarks>
/// A manifest saying <c>has_reference_profile: false</c> (a model imported without a sample) gives a null profile:
/// the version is watched with "no reference". An artifact whose manifest promises a profile it lacks, or whose
/// profile is invalid, still fails the load: that is a broken artifact, not a model without reference. So does a
/// segment definition that is not valid (training checked it against the policy before writing it).
/// </remarks>
public sealed class ArtifactProfileLoader(IArtifactStore artifacts)
{
    private readonly ConcurrentDictionary<string, (ReferenceProfile? Profile, ModelTask Task, ModelSegment? Segment)> _cache = new(StringComparer.Ordinal);

    public async Task<MonitoredVersion> LoadAsync(string model, int version, string sha256, CancellationToken cancellationToken)
    {
        if (!_cache.TryGetValue(sha256, out var loaded))
        {
            var archive = await artifacts.GetAsync(sha256, cancellationToken);
            using var manifest = JsonDocument.Parse(ArtifactArchive.ReadFile(archive, ArtifactFiles.Manifest));
            var hasProfile = !manifest.RootElement.TryGetProperty("has_reference_profile", out var flag) || flag.ValueKind != JsonValueKind.False;
            var profile = hasProfile ? ReferenceProfile.FromJson(ArtifactArchive.ReadFile(archive, ArtifactFiles.ReferenceProfile)) : null;
            var objective = manifest.RootElement.GetProperty("objective").GetString() ?? string.Empty;
            loaded = _cache[sha256] = (profile, ModelTasks.FromObjective(objective), Segment(manifest.RootElement));
        }
        return new MonitoredVersion(model, version, sha256, loaded.Profile, loaded.Task, loaded.Segment);
    }

    /// <summary>The manifest's <c>monitoring.segment</c>; null when it has none (no policy block, an import, an older artifact).</summary>
    private static ModelSegment? Segment(JsonElement manifest)
    {
        if (!manifest.TryGetProperty("monitoring", out var monitoring) || !monitoring.TryGetProperty("segment", out var element) || element.ValueKind == JsonValueKind.Null) return null;
        var segment = element.Deserialize<ModelSegment>() ?? throw new InvalidDataException("The manifest's monitoring.segment is empty.");
        return segment.Problem() is { } problem ? throw new InvalidDataException($"The manifest's monitoring.segment is not valid: {problem}.") : segment;
    }
}
