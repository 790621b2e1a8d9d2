using System.Text.Json.Serialization;

namespace Cascade.Ml.Artifacts;

/// <summary>
/// What Monitoring watches of a version's predictions beyond the whole traffic, as its training policy's
/// <c>monitoring</c> block asked when the version was trained; the manifest's <c>monitoring</c>. Recorded with the
/// version, so Serving (which labels each prediction's segment) and Monitoring (which watches the segments) read the
/// same definition whatever the policy says later.
/// </summary>
public sealed record ModelMonitoring
{
    /// <summary>The column whose groups are watched apart; null when the policy named none.</summary>
    [JsonPropertyName("segment"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ModelSegment? Segment { get; init; }
}
