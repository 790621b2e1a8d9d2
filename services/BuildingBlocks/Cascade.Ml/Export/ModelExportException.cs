namespace Cascade.Ml.Export;

/// <summary>A model cannot be exported in the format asked for; the message says why and what to do.</summary>
public sealed class ModelExportException(string message) : Exception(message);
