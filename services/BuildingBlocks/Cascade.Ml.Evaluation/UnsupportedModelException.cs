namespace Cascade.Ml.Evaluation;

/// <summary>The model uses something the compiled evaluator does not implement; it refuses at load rather than predict wrongly.</summary>
public sealed class UnsupportedModelException(string message) : Exception(message);
