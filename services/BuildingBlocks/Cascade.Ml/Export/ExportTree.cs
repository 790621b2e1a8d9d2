namespace Cascade.Ml.Export;

/// <summary>One tree: the output it adds its leaf to (its class for <c>multi:softprob</c>, else 0) and its nodes, the root first.</summary>
public sealed record ExportTree(int Group, IReadOnlyList<ExportNode> Nodes);

/// <summary>
/// One node in XGBoost's numbering within its tree. An inner node sends a row left when
/// <c>row[Feature] &lt; Value</c> (both float32; <see cref="Value"/> is the split threshold), right otherwise, and a
/// missing value (NaN) left when <see cref="DefaultLeft"/>; a leaf (<see cref="Left"/> = −1) holds its leaf value in <see cref="Value"/>.
/// </summary>
public readonly record struct ExportNode(int Feature, float Value, bool DefaultLeft, int Left, int Right)
{
    public bool IsLeaf => Left < 0;
}
