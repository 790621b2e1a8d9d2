using Cascade.Ml.Evaluation;

namespace Cascade.Ml.Export;

/// <summary>
/// The trees to export, taken from the evaluator's own compiled model: an export then holds exactly the trees, base
/// margin and objective the evaluator runs (parsed and checked once, by <see cref="CompiledModel"/>), plus the one
/// limit only generated code has, its nesting depth.
/// </summary>
public static class TreeEnsembleReader
{
    /// <summary>Deepest tree the exporters accept: generated code nests one block per level, and compilers limit nesting.</summary>
    public const int MaxDepth = 256;

    /// <summary>Reads a model in XGBoost's JSON format (tests and tools; an artifact's exports use <see cref="FromCompiled"/>).</summary>
    /// <param name="featureNames">The model's feature names, to name a feature in an error; may be empty.</param>
    /// <exception cref="ModelExportException">Not a gbtree model of a supported objective, malformed, or with a split the evaluator (and so the exports) cannot express.</exception>
    public static TreeEnsemble FromXgboostJson(string json, IReadOnlyList<string> featureNames)
    {
        CompiledModel model;
        try
        {
            model = CompiledModel.FromXgboostJson(json, featureNames.Count > 0 ? featureNames : null);
        }
        catch (UnsupportedModelException ex)
        {
            throw new ModelExportException(ex.Message);
        }
        return FromCompiled(model);
    }

    /// <summary>The trees of a compiled model, in the order their leaves are summed.</summary>
    /// <exception cref="ModelExportException">The model has no trees, or a tree deeper than <see cref="MaxDepth"/>.</exception>
    public static TreeEnsemble FromCompiled(CompiledModel model)
    {
        if (model.TreeCount == 0 || model.FeatureCount < 1)
        {
            throw new ModelExportException($"The model has {model.TreeCount} trees and {model.FeatureCount} features; an export needs at least one of each.");
        }
        var trees = new ExportTree[model.TreeCount];
        for (var t = 0; t < trees.Length; t++)
        {
            var nodes = model.TreeNodes(t);
            CheckDepth(nodes, t);
            trees[t] = new ExportTree(model.TreeGroup(t), nodes);
        }
        return new TreeEnsemble(model.Objective, model.FeatureCount, model.OutputCount, model.BaseScore, model.BaseMargin, trees);
    }

    private static void CheckDepth(SplitNode[] nodes, int treeIndex)
    {
        // The evaluator already refused any node reached twice: this walk only measures depth.
        var pending = new Stack<(int Node, int Depth)>([(0, 0)]);
        while (pending.TryPop(out var next))
        {
            if (next.Depth > MaxDepth)
            {
                throw new ModelExportException($"Tree {treeIndex} is deeper than {MaxDepth} levels: too deep to export as nested code.");
            }
            var node = nodes[next.Node];
            if (!node.IsLeaf)
            {
                pending.Push((node.Left, next.Depth + 1));
                pending.Push((node.Right, next.Depth + 1));
            }
        }
    }
}
