using System.Globalization;
using System.Text.Json;

namespace Cascade.Ml.Export;

/// <summary>
/// Reads the trees of an XGBoost JSON model (an artifact's <c>model.json</c>) by the same rules as the compiled
/// evaluator, so an export computes exactly what the evaluator computes: thresholds and leaves as float32, the base
/// margin in float32, the same objectives and the same refusals.
/// </summary>
public static class TreeEnsembleReader
{
    /// <summary>Deepest tree the exporters accept: generated code nests one block per level, and compilers limit nesting.</summary>
    public const int MaxDepth = 256;

    /// <param name="json">The model in XGBoost's JSON format.</param>
    /// <param name="featureNames">The model's feature names, to name a feature in an error; may be empty.</param>
    /// <exception cref="ModelExportException">Not a gbtree model of a supported objective, malformed, or with a split the exports cannot express (categorical).</exception>
    public static TreeEnsemble FromXgboostJson(string json, IReadOnlyList<string> featureNames)
    {
        try
        {
            return Read(json, featureNames);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or IndexOutOfRangeException or ArgumentNullException)
        {
            throw new ModelExportException($"The model is not well-formed XGBoost JSON: {ex.Message}");
        }
    }

    private static TreeEnsemble Read(string json, IReadOnlyList<string> featureNames)
    {
        using var document = JsonDocument.Parse(json);
        var learner = document.RootElement.GetProperty("learner");
        var objective = learner.GetProperty("objective").GetProperty("name").GetString() ?? string.Empty;
        if (objective is not (ObjectiveNames.BinaryLogistic or ObjectiveNames.SquaredError or ObjectiveNames.SoftProb))
        {
            throw new ModelExportException($"Objective '{objective}' cannot be exported (supported: binary:logistic, reg:squarederror, multi:softprob).");
        }
        var booster = learner.GetProperty("gradient_booster");
        if (booster.GetProperty("name").GetString() is var boosterName && boosterName != "gbtree")
        {
            throw new ModelExportException($"Booster '{boosterName}' cannot be exported: only gbtree ensembles can.");
        }
        var parameters = learner.GetProperty("learner_model_param");
        var baseScore = float.Parse(parameters.GetProperty("base_score").GetString()!, CultureInfo.InvariantCulture);
        var featureCount = int.Parse(parameters.GetProperty("num_feature").GetString()!, CultureInfo.InvariantCulture);
        var numClass = int.Parse(parameters.GetProperty("num_class").GetString()!, CultureInfo.InvariantCulture);
        var outputCount = objective == ObjectiveNames.SoftProb ? numClass : 1;
        if (featureCount < 1 || outputCount < 1)
        {
            throw new ModelExportException($"The model declares {featureCount} features and {outputCount} outputs; an export needs at least one of each.");
        }
        // The evaluator's ProbToMargin, the same float32 operations in the same order.
        var baseMargin = objective == ObjectiveNames.BinaryLogistic ? -MathF.Log(1.0f / baseScore - 1.0f) : baseScore;

        var model = booster.GetProperty("model");
        var treeInfo = model.GetProperty("tree_info");
        var trees = new List<ExportTree>();
        foreach (var tree in model.GetProperty("trees").EnumerateArray())
        {
            var index = trees.Count;
            var group = treeInfo[index].GetInt32();
            if (group < 0 || group >= outputCount)
            {
                throw new ModelExportException($"Tree {index} adds to output {group}, outside 0..{outputCount - 1}.");
            }
            trees.Add(new ExportTree(group, ReadTree(tree, index, featureCount, featureNames)));
        }
        if (trees.Count == 0)
        {
            throw new ModelExportException("The model has no trees.");
        }
        return new TreeEnsemble(objective, featureCount, outputCount, baseScore, baseMargin, trees);
    }

    private static ExportNode[] ReadTree(JsonElement tree, int treeIndex, int featureCount, IReadOnlyList<string> featureNames)
    {
        var left = Ints(tree, "left_children");
        var right = Ints(tree, "right_children");
        var features = Ints(tree, "split_indices");
        var defaultLeft = Ints(tree, "default_left");
        var conditions = tree.GetProperty("split_conditions").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var splitTypes = tree.TryGetProperty("split_type", out var types) ? types.EnumerateArray().Select(e => e.GetInt32()).ToArray() : new int[left.Length];
        if (left.Length == 0 || new[] { right.Length, features.Length, defaultLeft.Length, conditions.Length, splitTypes.Length }.Any(n => n != left.Length))
        {
            throw new ModelExportException($"Tree {treeIndex} is malformed: its node arrays are empty or differ in length.");
        }
        var nodes = new ExportNode[left.Length];
        for (var n = 0; n < nodes.Length; n++)
        {
            if (left[n] == -1)
            {
                nodes[n] = new ExportNode(0, conditions[n], false, -1, -1);
                continue;
            }
            if (features[n] < 0 || features[n] >= featureCount || left[n] <= 0 || right[n] <= 0 || left[n] >= nodes.Length || right[n] >= nodes.Length)
            {
                throw new ModelExportException($"Tree {treeIndex}, node {n} is malformed (feature {features[n]}, children {left[n]}/{right[n]}).");
            }
            if (splitTypes[n] != 0)
            {
                var name = features[n] < featureNames.Count ? $"'{featureNames[features[n]]}' (feature {features[n]})" : $"feature {features[n]}";
                throw new ModelExportException($"Tree {treeIndex}, node {n} splits {name} by category set (XGBoost's native categorical split), which the exports cannot express: train with the column one-hot or ordinal encoded (Cascade's categorical encodings) instead.");
            }
            nodes[n] = new ExportNode(features[n], conditions[n], defaultLeft[n] != 0, left[n], right[n]);
        }
        CheckShape(nodes, treeIndex);
        return nodes;
    }

    /// <summary>Every node is reached exactly once from the root, within <see cref="MaxDepth"/> levels.</summary>
    private static void CheckShape(ExportNode[] nodes, int treeIndex)
    {
        var reached = new bool[nodes.Length];
        var pending = new Stack<(int Node, int Depth)>([(0, 0)]);
        while (pending.TryPop(out var next))
        {
            if (reached[next.Node])
            {
                throw new ModelExportException($"Tree {treeIndex} is not a tree: node {next.Node} is reached twice from the root.");
            }
            if (next.Depth > MaxDepth)
            {
                throw new ModelExportException($"Tree {treeIndex} is deeper than {MaxDepth} levels: too deep to export as nested code.");
            }
            reached[next.Node] = true;
            var node = nodes[next.Node];
            if (!node.IsLeaf)
            {
                pending.Push((node.Left, next.Depth + 1));
                pending.Push((node.Right, next.Depth + 1));
            }
        }
    }

    private static int[] Ints(JsonElement tree, string name) => tree.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
