using Google.Protobuf.WellKnownTypes;

namespace Cascade.Contracts;

/// <summary>
/// Checks of protobuf durations received from clients. <see cref="Duration.ToTimeSpan"/> and JSON transcoding throw on
/// a duration protobuf cannot normalise, so every handler that stores or uses one checks it first and answers
/// INVALID_ARGUMENT instead of an unmapped error later (found by fuzzing).
/// </summary>
public static class Durations
{
    /// <summary>Seconds within protobuf's range, nanos within ±999,999,999, and both of the same sign.</summary>
    public static bool IsNormalized(Duration duration) =>
        duration.Seconds is >= -Duration.MaxSeconds and <= Duration.MaxSeconds
        && Math.Abs(duration.Nanos) < Duration.NanosecondsPerSecond
        && (duration.Seconds == 0 || duration.Nanos == 0 || Math.Sign(duration.Seconds) == Math.Sign(duration.Nanos));

    /// <summary>A normalised duration of zero or more.</summary>
    public static bool IsNonNegative(Duration duration) => IsNormalized(duration) && duration.Seconds >= 0 && duration.Nanos >= 0;
}
