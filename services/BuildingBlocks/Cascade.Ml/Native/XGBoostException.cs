namespace Cascade.Ml.Native;

/// <summary>A call into XGBoost failed; the message is XGBoost's own.</summary>
public sealed class XGBoostException(string operation, string message)
    : Exception($"XGBoost {operation} failed: {message}")
{
    /// <summary>The C API function that failed.</summary>
    public string Operation { get; } = operation;
}
