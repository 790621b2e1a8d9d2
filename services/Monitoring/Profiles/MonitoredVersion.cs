using Cascade.Monitoring.Domain;
using Cascade.Ml.Artifacts;

namespace Cascade.Monitoring.Profiles;

/// <summary>
/// What Monitoring needs of a served model version: its training distributions (null when its artifact has none), its
/// task, and its segment column (its training policy's, from the manifest; null when it has none).
/// </summary>
public sealed record MonitoredVersion(string Model, int Version, string ArtifactSha256, ReferenceProfile? Profile, ModelTask Task, ModelSegment? Segment = null);
