namespace Cascade.Cli.Scoring;

/// <summary>A batch cannot be scored as given (a column missing, a cell not a number, an unknown output format); the message says what to fix.</summary>
internal sealed class ScoringException(string message) : Exception(message);
