namespace Cascade.EventLog.Abstractions;

/// <summary>The log could not do what was asked (a broker refused or timed out); the message says what failed.</summary>
public sealed class EventLogException(string message, Exception? inner = null) : Exception(message, inner);
