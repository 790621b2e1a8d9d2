using System.Globalization;
using System.Text.Json;
using Cascade.Ml.Data;

namespace Cascade.Ml.MlNet;

/// <summary>
/// An ML.NET tree ensemble rewritten as an XGBoost 1.7 gbtree model: the form Cascade's artifacts store, its compiled
/// evaluator serves and XGBoost itself loads (explanations, <c>--engine xgboost</c>), so everything downstream of
/// training treats it like any other model.
/// </summary>
internal sealed class ConvertedEnsemble
{
    public ConvertedEnsemble(string objective, int numClass, IReadOnlyList<string> featureNames, IReadOnlyList<ConvertedTree> trees)
    {
        Objective = objective;
        NumClass = numClass;
        FeatureNames = featureNames;
        Trees = OrderByRound(trees, OutputCount);
    }

    /// <summary><c>binary:logistic</c>, <c>reg:squarederror</c> or <c>multi:softprob</c>.</summary>
    public string Objective { get; }

    /// <summary>Classes for multi:softprob, else 1.</summary>
    public int NumClass { get; }

    public int OutputCount => Objective == "multi:softprob" ? NumClass : 1;

    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Trees round by round (one per output group in each round), as XGBoost lays out a multi-class model.</summary>
    public IReadOnlyList<ConvertedTree> Trees { get; }

    /// <summary>
    /// The margin every row starts from. Zero in every case (for binary:logistic a base_score of 0.5, whose logit is
    /// exactly 0): a bias is a tree of one leaf instead, which adds it without the float rounding of a logit round trip.
    /// </summary>
    private float BaseScore => Objective == "binary:logistic" ? 0.5f : 0f;

    /// <summary>Counts, per node, the rows of <paramref name="data"/> reaching it; a leaf no row reaches still counts one, so no cover is empty.</summary>
    public void CountCovers(TabularData data)
    {
        foreach (var tree in Trees)
        {
            Array.Fill(tree.Cover, 0d);
            for (var r = 0; r < data.Rows; r++)
            {
                tree.Cover[tree.LeafOf(data.Row(r))] += data.Weights?[r] ?? 1d;
            }
            for (var node = 0; node < tree.NodeCount; node++)
            {
                if (tree.IsLeaf(node) && tree.Cover[node] <= 0) tree.Cover[node] = 1;
            }
            SumInnerCovers(tree, 0);
        }
    }

    private static double SumInnerCovers(ConvertedTree tree, int node) =>
        tree.IsLeaf(node) ? tree.Cover[node] : tree.Cover[node] = SumInnerCovers(tree, tree.Left[node]) + SumInnerCovers(tree, tree.Right[node]);

    /// <summary>Every tree in rounds of one per group; a group short of trees in a round gets a tree of one zero leaf.</summary>
    private static List<ConvertedTree> OrderByRound(IReadOnlyList<ConvertedTree> trees, int groups)
    {
        var byGroup = Enumerable.Range(0, groups).Select(g => trees.Where(t => t.Group == g).ToList()).ToArray();
        var rounds = byGroup.Max(g => g.Count);
        var ordered = new List<ConvertedTree>(rounds * groups);
        for (var round = 0; round < rounds; round++)
        {
            for (var group = 0; group < groups; group++)
            {
                ordered.Add(round < byGroup[group].Count ? byGroup[group][round] : ConvertedTree.Constant(group, 0f));
            }
        }
        return ordered;
    }

    /// <summary>The model as XGBoost 1.7 writes it with <c>Booster.save_model("model.json")</c>.</summary>
    public byte[] ToXGBoostJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("learner");
            json.WriteStartObject("attributes");
            json.WriteEndObject();
            json.WriteStartArray("feature_names");
            foreach (var name in FeatureNames) json.WriteStringValue(name);
            json.WriteEndArray();
            json.WriteStartArray("feature_types");
            foreach (var _ in FeatureNames) json.WriteStringValue("float");
            json.WriteEndArray();

            json.WriteStartObject("gradient_booster");
            json.WriteStartObject("model");
            json.WriteStartObject("gbtree_model_param");
            json.WriteString("num_parallel_tree", "1");
            json.WriteString("num_trees", Text(Trees.Count));
            json.WriteString("size_leaf_vector", "0");
            json.WriteEndObject();
            json.WriteStartArray("tree_info");
            foreach (var tree in Trees) json.WriteNumberValue(tree.Group);
            json.WriteEndArray();
            json.WriteStartArray("trees");
            for (var t = 0; t < Trees.Count; t++)
            {
                WriteTree(json, Trees[t], t);
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("name", "gbtree");
            json.WriteEndObject();

            json.WriteStartObject("learner_model_param");
            json.WriteString("base_score", Text(BaseScore));
            json.WriteString("boost_from_average", "1");
            json.WriteString("num_class", Objective == "multi:softprob" ? Text(NumClass) : "0");
            json.WriteString("num_feature", Text(FeatureNames.Count));
            json.WriteString("num_target", "1");
            json.WriteEndObject();

            json.WriteStartObject("objective");
            json.WriteString("name", Objective);
            if (Objective == "multi:softprob")
            {
                json.WriteStartObject("softmax_multiclass_param");
                json.WriteString("num_class", Text(NumClass));
                json.WriteEndObject();
            }
            else
            {
                json.WriteStartObject("reg_loss_param");
                json.WriteString("scale_pos_weight", "1");
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartArray("version");
            json.WriteNumberValue(1);
            json.WriteNumberValue(7);
            json.WriteNumberValue(4);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private void WriteTree(Utf8JsonWriter json, ConvertedTree tree, int id)
    {
        var parents = new int[tree.NodeCount];
        parents[0] = int.MaxValue;
        for (var node = 0; node < tree.NodeCount; node++)
        {
            if (tree.IsLeaf(node)) continue;
            parents[tree.Left[node]] = node;
            parents[tree.Right[node]] = node;
        }
        json.WriteStartObject();
        FloatArray(json, "base_weights", Enumerable.Range(0, tree.NodeCount).Select(n => tree.IsLeaf(n) ? tree.Value[n] : 0f));
        json.WriteStartArray("categories");
        json.WriteEndArray();
        json.WriteStartArray("categories_nodes");
        json.WriteEndArray();
        json.WriteStartArray("categories_segments");
        json.WriteEndArray();
        json.WriteStartArray("categories_sizes");
        json.WriteEndArray();
        IntArray(json, "default_left", tree.DefaultLeft.Select(d => d ? 1 : 0));
        json.WriteNumber("id", id);
        IntArray(json, "left_children", tree.Left);
        FloatArray(json, "loss_changes", tree.Left.Select(_ => 0f));
        IntArray(json, "parents", parents);
        IntArray(json, "right_children", tree.Right);
        FloatArray(json, "split_conditions", tree.Value);
        IntArray(json, "split_indices", Enumerable.Range(0, tree.NodeCount).Select(n => tree.IsLeaf(n) ? 0 : tree.Feature[n]));
        IntArray(json, "split_type", tree.Left.Select(_ => 0));
        FloatArray(json, "sum_hessian", tree.Cover.Select(c => (float)c));
        json.WriteStartObject("tree_param");
        json.WriteString("num_deleted", "0");
        json.WriteString("num_feature", Text(FeatureNames.Count));
        json.WriteString("num_nodes", Text(tree.NodeCount));
        json.WriteString("size_leaf_vector", "0");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void IntArray(Utf8JsonWriter json, string name, IEnumerable<int> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteNumberValue(value);
        json.WriteEndArray();
    }

    /// <summary>Floats as the shortest text that reads back to the same float32: XGBoost and the evaluator parse exactly these bits.</summary>
    private static void FloatArray(Utf8JsonWriter json, string name, IEnumerable<float> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            // XGBoost's JSON reader takes "1" for an integer and refuses it where a float belongs.
            var text = Text(value);
            json.WriteRawValue(text.AsSpan().IndexOfAny('.', 'E') < 0 ? text + ".0" : text, skipInputValidation: true);
        }
        json.WriteEndArray();
    }

    private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
