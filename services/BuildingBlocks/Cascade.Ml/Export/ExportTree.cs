using Cascade.Ml.Evaluation;

namespace Cascade.Ml.Export;

/// <summary>One tree: the output it adds its leaf to (its class for <c>multi:softprob</c>, else 0) and its nodes, the root first.</summary>
public sealed record ExportTree(int Group, IReadOnlyList<SplitNode> Nodes);
