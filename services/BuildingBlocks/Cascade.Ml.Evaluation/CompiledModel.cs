using System.Globalization;
using System.Text.Json;

namespace Cascade.Ml.Evaluation;

/// <summary>
/// An XGBoost tree ensemble compiled into flat arrays and evaluated in pure C#, bit-identical to XGBoost 1.7's
/// own prediction: float32 <c>value &lt; threshold</c> goes left, NaN follows the default child, leaves are
/// summed in float32 in tree order from the base margin, then XGBoost's own sigmoid or softmax.
/// Immutable after load, so one instance serves any number of threads; a prediction allocates nothing.
/// </summary>
public sealed class CompiledModel : IModelScorer
{
    private readonly TreeNode[] _nodes;
    private readonly int[] _roots;
    private readonly int[] _groups;
    private readonly float _baseMargin;

    private CompiledModel(string objective, int featureCount, int outputCount, float baseScore, TreeNode[] nodes, int[] roots, int[] groups, IReadOnlyList<string> featureNames)
    {
        Objective = objective;
        FeatureCount = featureCount;
        OutputCount = outputCount;
        BaseScore = baseScore;
        _baseMargin = Evaluation.Objective.BaseMargin(objective, baseScore);
        _nodes = nodes;
        _roots = roots;
        _groups = groups;
        FeatureNames = featureNames;
    }

    /// <summary>The XGBoost objective, e.g. <c>binary:logistic</c>.</summary>
    public string Objective { get; }

    /// <summary>Features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Outputs per row: 1, or the number of classes for <c>multi:softprob</c>.</summary>
    public int OutputCount { get; }

    /// <summary>XGBoost's base_score.</summary>
    public float BaseScore { get; }

    /// <summary>Number of trees.</summary>
    public int TreeCount => _roots.Length;

    /// <summary>Number of nodes, inner and leaf, over all trees.</summary>
    public int NodeCount => _nodes.Length;

    /// <summary>Feature names recorded in the model, or empty.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The flattened nodes of every tree (read-only: what the IL-compiled and quantised evaluators are built from).</summary>
    internal ReadOnlySpan<TreeNode> Nodes => _nodes;

    /// <summary>The global node index of each tree's root, in tree order.</summary>
    internal ReadOnlySpan<int> Roots => _roots;

    /// <summary>The output group (class) each tree adds to, in tree order.</summary>
    internal ReadOnlySpan<int> Groups => _groups;

    /// <summary>
    /// The margin every output starts from before the leaves are added: base_score through XGBoost's ProbToMargin (the
    /// logit for <c>binary:logistic</c>), in float32.
    /// </summary>
    public float BaseMargin => _baseMargin;

    /// <summary>The output (its class for <c>multi:softprob</c>, else 0) tree <paramref name="tree"/> adds its leaf to.</summary>
    public int TreeGroup(int tree) => _groups[tree];

    /// <summary>
    /// Tree <paramref name="tree"/>'s nodes, renumbered from its root (0) as XGBoost numbers them: the trees this
    /// evaluator runs, checked when compiled, so an export of them computes what it computes.
    /// </summary>
    public SplitNode[] TreeNodes(int tree)
    {
        var start = _roots[tree];
        var end = tree + 1 < _roots.Length ? _roots[tree + 1] : _nodes.Length;
        var nodes = new SplitNode[end - start];
        for (var n = 0; n < nodes.Length; n++)
        {
            var node = _nodes[start + n];
            nodes[n] = node.IsLeaf
                ? new SplitNode(0, node.Value, false, -1, -1)
                : new SplitNode(node.Feature, node.Value, node.DefaultLeft, node.Left - start, node.Right - start);
        }
        return nodes;
    }

    /// <summary>Compiles a model saved by XGBoost in JSON format.</summary>
    /// <exception cref="UnsupportedModelException">The model uses a booster, objective or split type this evaluator does not implement, or is not well-formed XGBoost JSON.</exception>
    /// <param name="featureNames">Names to call features by in an error (an artifact's manifest); the model's own when null.</param>
    public static CompiledModel FromXgboostJson(string json, IReadOnlyList<string>? featureNames = null)
    {
        try
        {
            return Compile(json, featureNames);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // A missing property, a value of the wrong kind, an array too short (found by fuzzing the artifact reader).
            throw new UnsupportedModelException($"The model is not well-formed XGBoost JSON: {ex.Message}");
        }
    }

    private static CompiledModel Compile(string json, IReadOnlyList<string>? featureNamesForErrors)
    {
        using var document = JsonDocument.Parse(json);
        var learner = document.RootElement.GetProperty("learner");
        var objective = learner.GetProperty("objective").GetProperty("name").GetString() ?? string.Empty;
        if (!Evaluation.Objective.IsSupported(objective))
        {
            throw new UnsupportedModelException($"Objective '{objective}' is not supported by the compiled evaluator (supported: binary:logistic, reg:squarederror, multi:softprob).");
        }
        var booster = learner.GetProperty("gradient_booster");
        var boosterName = booster.GetProperty("name").GetString();
        if (boosterName != "gbtree")
        {
            throw new UnsupportedModelException($"Booster '{boosterName}' is not supported: only gbtree ensembles compile (dart and gblinear do not).");
        }
        var modelParameters = learner.GetProperty("learner_model_param");
        var baseScore = float.Parse(modelParameters.GetProperty("base_score").GetString()!, CultureInfo.InvariantCulture);
        var featureCount = int.Parse(modelParameters.GetProperty("num_feature").GetString()!, CultureInfo.InvariantCulture);
        var numClass = int.Parse(modelParameters.GetProperty("num_class").GetString()!, CultureInfo.InvariantCulture);
        var outputCount = objective == Evaluation.Objective.SoftProb ? numClass : 1;
        if (featureCount < 0)
        {
            throw new UnsupportedModelException($"The model declares num_feature={featureCount}.");
        }
        if (outputCount < 1)
        {
            throw new UnsupportedModelException($"multi:softprob model declares num_class={numClass}.");
        }

        var names = learner.TryGetProperty("feature_names", out var featureNames) && featureNames.ValueKind == JsonValueKind.Array
            ? featureNames.EnumerateArray().Select(n => n.GetString() ?? string.Empty).ToArray()
            : [];
        var model = booster.GetProperty("model");
        var trees = model.GetProperty("trees");
        var treeInfo = model.GetProperty("tree_info");
        var nodes = new List<TreeNode>();
        var roots = new int[trees.GetArrayLength()];
        var groups = new int[roots.Length];
        var index = 0;
        foreach (var tree in trees.EnumerateArray())
        {
            roots[index] = nodes.Count;
            groups[index] = treeInfo[index].GetInt32();
            if (groups[index] < 0 || groups[index] >= outputCount)
            {
                throw new UnsupportedModelException($"Tree {index} belongs to output group {groups[index]}, outside 0..{outputCount - 1}.");
            }
            AddTree(tree, index, featureCount, featureNamesForErrors ?? names, nodes);
            index++;
        }

        return new CompiledModel(objective, featureCount, outputCount, baseScore, nodes.ToArray(), roots, groups, names);
    }

    private static void AddTree(JsonElement tree, int treeIndex, int featureCount, IReadOnlyList<string> featureNames, List<TreeNode> nodes)
    {
        if (tree.TryGetProperty("split_type", out var splitTypes) && splitTypes.EnumerateArray().Select(t => t.GetInt32()).ToArray() is var types
            && Array.FindIndex(types, t => t != 0) is var categorical and >= 0)
        {
            var feature = tree.GetProperty("split_indices")[categorical].GetInt32();
            var name = feature >= 0 && feature < featureNames.Count ? $"'{featureNames[feature]}' (feature {feature})" : $"feature {feature}";
            throw new UnsupportedModelException($"Tree {treeIndex}, node {categorical} splits {name} by category set (XGBoost's native categorical split), which Cascade's evaluators cannot express: train with the column one-hot or ordinal encoded (Cascade's categorical encodings) instead.");
        }
        var left = tree.GetProperty("left_children").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var right = tree.GetProperty("right_children").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var features = tree.GetProperty("split_indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var conditions = tree.GetProperty("split_conditions").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var defaultLeft = tree.GetProperty("default_left").EnumerateArray().Select(e => e.GetInt32() != 0).ToArray();
        if (left.Length == 0 || right.Length != left.Length || features.Length != left.Length || conditions.Length != left.Length || defaultLeft.Length != left.Length)
        {
            throw new UnsupportedModelException($"Tree {treeIndex} is malformed: its node arrays are empty or differ in length.");
        }
        var offset = nodes.Count;
        for (var n = 0; n < left.Length; n++)
        {
            var isLeaf = left[n] == -1;
            if (!isLeaf && (features[n] < 0 || features[n] >= featureCount || left[n] < 0 || right[n] < 0 || left[n] >= left.Length || right[n] >= left.Length))
            {
                throw new UnsupportedModelException($"Tree {treeIndex}, node {n} is malformed (feature {features[n]}, children {left[n]}/{right[n]}).");
            }
            nodes.Add(new TreeNode(conditions[n], isLeaf ? 0 : features[n], defaultLeft[n], isLeaf ? -1 : offset + left[n], isLeaf ? -1 : offset + right[n]));
        }
        // From the root, every node is reached at most once: a child pointing back up would make prediction loop forever.
        var reached = new bool[left.Length];
        var pending = new Stack<int>([0]);
        while (pending.TryPop(out var n))
        {
            if (reached[n])
            {
                throw new UnsupportedModelException($"Tree {treeIndex} is not a tree: node {n} is reached twice from the root.");
            }
            reached[n] = true;
            if (left[n] != -1)
            {
                pending.Push(left[n]);
                pending.Push(right[n]);
            }
        }
    }

    /// <summary>Predicts one row into <paramref name="output"/> (<see cref="OutputCount"/> values).</summary>
    public void Predict(ReadOnlySpan<float> row, Span<float> output)
    {
        if (row.Length != FeatureCount)
        {
            throw new ArgumentException($"The model expects {FeatureCount} features per row, got {row.Length}.", nameof(row));
        }
        if (output.Length != OutputCount)
        {
            throw new ArgumentException($"The model produces {OutputCount} outputs per row, the output span holds {output.Length}.", nameof(output));
        }
        PredictMargin(row, output);
        Evaluation.Objective.Transform(Objective, output);
    }

    /// <summary>Predicts <paramref name="rowCount"/> row-major rows; <paramref name="outputs"/> holds rowCount × <see cref="OutputCount"/> values.</summary>
    public void PredictBatch(ReadOnlySpan<float> rows, int rowCount, Span<float> outputs)
    {
        if (rowCount < 0 || rows.Length != rowCount * FeatureCount)
        {
            throw new ArgumentException($"{rows.Length} values do not make {rowCount} rows of {FeatureCount} features.", nameof(rows));
        }
        if (outputs.Length != rowCount * OutputCount)
        {
            throw new ArgumentException($"The outputs span must hold {rowCount * OutputCount} values, it holds {outputs.Length}.", nameof(outputs));
        }
        outputs.Fill(_baseMargin);
        // Tree-major over blocks of rows: a tree's nodes stay in cache while a block of rows walks it,
        // as XGBoost's own CPU predictor does. Each row still adds its leaves in tree order, so the
        // float32 sums (and the results) are bit-identical to row-by-row prediction.
        for (var blockStart = 0; blockStart < rowCount; blockStart += BlockRows)
        {
            var blockEnd = Math.Min(rowCount, blockStart + BlockRows);
            for (var t = 0; t < _roots.Length; t++)
            {
                var root = _roots[t];
                var group = _groups[t];
                for (var r = blockStart; r < blockEnd; r++)
                {
                    outputs[r * OutputCount + group] += LeafValue(root, rows.Slice(r * FeatureCount, FeatureCount));
                }
            }
        }
        for (var r = 0; r < rowCount; r++)
        {
            Evaluation.Objective.Transform(Objective, outputs.Slice(r * OutputCount, OutputCount));
        }
    }

    private const int BlockRows = 64;

    private float LeafValue(int root, ReadOnlySpan<float> row)
    {
        var nodes = _nodes;
        var id = root;
        while (true)
        {
            ref readonly var node = ref nodes[id];
            if (node.IsLeaf)
            {
                return node.Value;
            }
            var value = row[node.Feature];
            id = float.IsNaN(value)
                ? (node.DefaultLeft ? node.Left : node.Right)
                : (value < node.Value ? node.Left : node.Right);
        }
    }

    /// <summary>The raw margins (before sigmoid/softmax) of one row.</summary>
    public void PredictMargin(ReadOnlySpan<float> row, Span<float> margins)
    {
        margins.Fill(_baseMargin);
        for (var t = 0; t < _roots.Length; t++)
        {
            margins[_groups[t]] += LeafValue(_roots[t], row);
        }
    }
}
