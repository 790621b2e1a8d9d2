namespace Cascade.Ml.Export;

/// <summary>The portable formats <c>cascade export</c> writes.</summary>
public enum ExportFormat
{
    /// <summary>An ONNX model (<c>ai.onnx.ml</c> TreeEnsembleRegressor) for ONNX Runtime and other ONNX runtimes.</summary>
    Onnx,

    /// <summary>One dependency-free C99 source file for devices without .NET.</summary>
    C,
}
