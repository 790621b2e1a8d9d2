namespace Cascade.Monitoring.Storage;

/// <summary>Who acknowledged an alert, and when (the time Monitoring stored it).</summary>
public sealed record StoredAcknowledgement(string Actor, DateTimeOffset At);
