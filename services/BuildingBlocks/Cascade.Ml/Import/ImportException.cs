namespace Cascade.Ml.Import;

/// <summary>A model file cannot be imported; the message says what is unsupported or what to pass instead.</summary>
public sealed class ImportException(string message, Exception? inner = null) : Exception(message, inner);
