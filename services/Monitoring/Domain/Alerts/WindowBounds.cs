namespace Cascade.Monitoring.Domain.Alerts;

/// <summary>The records an evaluation covered: stream offsets and event times of the first and last, and how many.</summary>
public readonly record struct WindowBounds(long StartOffset, long EndOffset, int Size, DateTimeOffset StartTime, DateTimeOffset EndTime);
