namespace Cascade.Training.Domain.Reproduction;

/// <summary>A version whose lineage cannot be trained again (imported, optimised, or missing its data lineage); the message says why and what to do.</summary>
public sealed class NotReproducibleException(string message) : Exception(message);
