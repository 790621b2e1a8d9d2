namespace Cascade.Ml.Evaluation;

/// <summary>
/// One node of a compiled tree as plain data, in XGBoost's numbering within its tree (the root is 0), for code that
/// turns an ensemble into other forms (the ONNX and C exports). An inner node sends a row left when
/// <c>row[Feature] &lt; Value</c> (both float32), right otherwise, and a missing value (NaN) left when
/// <see cref="DefaultLeft"/>; a leaf (<see cref="Left"/> = −1) holds its leaf value in <see cref="Value"/>.
/// </summary>
public readonly record struct SplitNode(int Feature, float Value, bool DefaultLeft, int Left, int Right)
{
    public bool IsLeaf => Left < 0;
}
