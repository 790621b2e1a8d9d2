namespace Cascade.Ml.Artifacts;

/// <summary>The frameworks an artifact's model can come from; the registry's <c>framework</c> field uses the same names.</summary>
public static class ModelFrameworks
{
    /// <summary>An XGBoost gbtree ensemble, served by the compiled evaluator bit-identically to XGBoost.</summary>
    public const string XGBoost = "xgboost";

    /// <summary>An ONNX graph, served by ONNX Runtime.</summary>
    public const string Onnx = "onnx";
}
