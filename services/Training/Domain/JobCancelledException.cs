namespace Cascade.Training.Domain;

/// <summary>The job was cancelled (<c>CancelJob</c>) while a worker held it; the worker stops and registers nothing.</summary>
public sealed class JobCancelledException(string jobId) : OperationCanceledException($"Training job '{jobId}' was cancelled.");
