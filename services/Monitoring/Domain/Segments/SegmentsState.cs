using System.Text.Json.Serialization;

namespace Cascade.Monitoring.Domain.Segments;

/// <summary>A <see cref="SegmentTracker"/> in a checkpoint: each segment that has seen predictions, and the whole traffic's errors.</summary>
public sealed record SegmentsState(IReadOnlyList<SegmentWindowState> Segments, SegmentErrorsState Overall)
{
    /// <summary>
    /// Segments named by the log: every name given so far, in the order they came (names are given first come, first
    /// served, so a restart must give them back in that order); null for segments read from the features.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Logged { get; init; }
}
