using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Cascade.Ml.Optimization;

/// <summary>
/// An XGBoost JSON model being pruned: trees dropped from the end, sibling leaves merged into their parent. Every edit
/// keeps the document a model XGBoost loads (each tree's node arrays renumbered together, <c>num_trees</c> and
/// <c>tree_info</c> kept in step), so the pruned model is served, exported and checked against XGBoost like any other.
/// </summary>
internal sealed class EnsembleJson
{
    /// <summary>Per-node arrays of an XGBoost 1.7 tree, renumbered together when nodes go.</summary>
    private static readonly string[] NodeArrays = ["base_weights", "default_left", "left_children", "loss_changes", "parents", "right_children", "split_conditions", "split_indices", "split_type", "sum_hessian"];

    private readonly JsonNode _document;

    private EnsembleJson(JsonNode document) => _document = document;

    public static EnsembleJson Parse(string json) =>
        new(JsonNode.Parse(json) ?? throw new ArgumentException("The model JSON is empty."));

    public EnsembleJson Clone() => new(_document.DeepClone());

    private JsonObject Model => _document["learner"]!["gradient_booster"]!["model"]!.AsObject();

    private JsonArray Trees => Model["trees"]!.AsArray();

    public int TreeCount => Trees.Count;

    /// <summary>Nodes over all trees.</summary>
    public int NodeCount => Trees.Sum(t => t!["left_children"]!.AsArray().Count);

    public override string ToString() => _document.ToJsonString();

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(ToString());

    /// <summary>Keeps the first <paramref name="count"/> trees.</summary>
    public void KeepTrees(int count)
    {
        var trees = Trees;
        var info = Model["tree_info"]!.AsArray();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, trees.Count);
        while (trees.Count > count)
        {
            trees.RemoveAt(trees.Count - 1);
            info.RemoveAt(info.Count - 1);
        }
        Model["gbtree_model_param"]!["num_trees"] = count.ToString(CultureInfo.InvariantCulture);
        // Early-stopping attributes would point past the trees that are left; the C API predicts with every tree.
        if (_document["learner"]!["attributes"] is JsonObject attributes)
        {
            attributes.Remove("best_iteration");
            attributes.Remove("best_ntree_limit");
            attributes.Remove("best_score");
        }
    }

    /// <summary>
    /// Every inner node both of whose children are leaves: where it is, the two leaf values, and the value the merged
    /// leaf takes (their mean weighted by the training hessian each leaf covered, as XGBoost weighs a leaf's rows).
    /// </summary>
    public List<LeafPair> LeafPairs()
    {
        var pairs = new List<LeafPair>();
        var trees = Trees;
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t]!;
            var left = Ints(tree, "left_children");
            var right = Ints(tree, "right_children");
            var values = Floats(tree, "split_conditions");
            var hessians = Floats(tree, "sum_hessian");
            for (var n = 0; n < left.Length; n++)
            {
                if (left[n] == -1 || left[left[n]] != -1 || left[right[n]] != -1)
                {
                    continue;
                }
                var (a, b) = (values[left[n]], values[right[n]]);
                var (ha, hb) = (hessians[left[n]], hessians[right[n]]);
                var merged = ha + hb > 0 ? (float)((a * (double)ha + b * (double)hb) / (ha + (double)hb)) : (a + b) / 2;
                pairs.Add(new LeafPair(t, n, Math.Abs(a - b), merged, ha + hb));
            }
        }
        return pairs;
    }

    /// <summary>Turns each pair's parent into a leaf of the merged value and drops the two leaves, renumbering each tree breadth first.</summary>
    public void Merge(IEnumerable<LeafPair> pairs)
    {
        foreach (var group in pairs.GroupBy(p => p.Tree))
        {
            var merged = group.ToDictionary(p => p.Node, p => p);
            var tree = Trees[group.Key]!.AsObject();
            var left = Ints(tree, "left_children");
            var right = Ints(tree, "right_children");
            var arrays = NodeArrays.Where(tree.ContainsKey).ToDictionary(name => name, name => tree[name]!.AsArray());

            // Breadth-first renumbering of the nodes that stay: a merged parent stays, as a leaf; its children go.
            var order = new List<int>();
            var newId = new Dictionary<int, int>();
            var queue = new Queue<int>([0]);
            while (queue.TryDequeue(out var node))
            {
                newId[node] = order.Count;
                order.Add(node);
                if (left[node] != -1 && !merged.ContainsKey(node))
                {
                    queue.Enqueue(left[node]);
                    queue.Enqueue(right[node]);
                }
            }
            var rebuilt = arrays.ToDictionary(a => a.Key, _ => new JsonArray());
            var parents = new Dictionary<int, int>();
            foreach (var node in order)
            {
                var isMerged = merged.TryGetValue(node, out var pair);
                var isLeaf = left[node] == -1 || isMerged;
                foreach (var (name, source) in arrays)
                {
                    rebuilt[name].Add(name switch
                    {
                        "left_children" => JsonValue.Create(isLeaf ? -1 : newId[left[node]]),
                        "right_children" => JsonValue.Create(isLeaf ? -1 : newId[right[node]]),
                        "parents" => node == 0 ? source[0]!.DeepClone() : JsonValue.Create(parents[node]),
                        "split_conditions" or "base_weights" when isMerged => Float(pair!.MergedValue),
                        "split_indices" or "default_left" or "split_type" when isMerged => JsonValue.Create(0),
                        "loss_changes" when isMerged => Float(0f),
                        "sum_hessian" when isMerged => Float(pair!.Hessian),
                        _ => source[node]!.DeepClone(),
                    });
                }
                if (!isLeaf)
                {
                    parents[left[node]] = newId[node];
                    parents[right[node]] = newId[node];
                }
            }
            foreach (var (name, array) in rebuilt)
            {
                tree[name] = array;
            }
            tree["tree_param"]!["num_nodes"] = order.Count.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// A float32 as XGBoost's JSON reader takes it: the shortest text that parses back to the same float, always with a
    /// fraction or exponent (XGBoost refuses an integer literal where it expects a number).
    /// </summary>
    private static JsonNode Float(float value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return JsonNode.Parse(text.Contains('.') || text.Contains('E') ? text : text + ".0")!;
    }

    private static int[] Ints(JsonNode tree, string name) => tree[name]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();

    private static float[] Floats(JsonNode tree, string name) => tree[name]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
}

/// <summary>An inner node whose two children are leaves: merging makes it a leaf of <see cref="MergedValue"/>.</summary>
/// <param name="Difference">|left − right|: how far the merge moves a row's margin at most.</param>
/// <param name="Hessian">The training hessian the two leaves covered together.</param>
internal sealed record LeafPair(int Tree, int Node, float Difference, float MergedValue, float Hessian);
