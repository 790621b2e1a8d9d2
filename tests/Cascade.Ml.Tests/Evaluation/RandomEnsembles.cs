using System.Globalization;
using System.Text;

namespace Cascade.Ml.Tests.Evaluation;

/// <summary>
/// XGBoost JSON models of random shape written directly (no training): trees unbalanced and cut short at random depths,
/// random defaults for missing values, thresholds on a small grid that rows hit exactly, and one output group per tree
/// for multiclass models, so that every path an evaluator can take is taken by some row.
/// </summary>
internal static class RandomEnsembles
{
    /// <summary>The values thresholds are drawn from (and rows, often): quarters from −2 to 2.</summary>
    private static float GridValue(Random random) => (random.Next(17) - 8) / 4f;

    /// <param name="treeDepth">The depth each tree may grow to, by its index; <paramref name="maxDepth"/> for all when null.</param>
    public static string Json(int seed, int trees, int features, int maxDepth, string objective = "binary:logistic", int classes = 1, double leafProbability = 0.25, Func<int, int>? treeDepth = null)
    {
        var random = new Random(seed);
        var treeJson = new List<string>();
        var groups = new List<int>();
        for (var t = 0; t < trees; t++)
        {
            treeJson.Add(Tree(random, features, treeDepth?.Invoke(t) ?? maxDepth, leafProbability));
            groups.Add(objective == "multi:softprob" ? t % classes : 0);
        }
        var numClass = objective == "multi:softprob" ? classes : 0;
        return "{\"learner\":{\"objective\":{\"name\":\"" + objective + "\"},\"learner_model_param\":{\"base_score\":\"4.5E-1\",\"num_feature\":\"" + features + "\",\"num_class\":\"" + numClass + "\"},"
            + "\"gradient_booster\":{\"name\":\"gbtree\",\"model\":{\"tree_info\":[" + string.Join(',', groups) + "],\"trees\":[" + string.Join(',', treeJson) + "]}}}}";
    }

    /// <summary>
    /// One tree grown depth first: below the root a node becomes a leaf with <paramref name="leafProbability"/>, and
    /// always at <paramref name="maxDepth"/>, so sibling subtrees differ in depth.
    /// </summary>
    private static string Tree(Random random, int features, int maxDepth, double leafProbability)
    {
        var left = new List<int>();
        var right = new List<int>();
        var splitFeatures = new List<int>();
        var conditions = new List<float>();
        var defaults = new List<int>();
        int Add()
        {
            left.Add(-1);
            right.Add(-1);
            splitFeatures.Add(0);
            conditions.Add(0);
            defaults.Add(0);
            return left.Count - 1;
        }
        void Grow(int node, int depth)
        {
            if (depth == maxDepth || (depth > 0 && random.NextDouble() < leafProbability))
            {
                conditions[node] = (float)(random.NextDouble() * 2 - 1);
                return;
            }
            splitFeatures[node] = random.Next(features);
            conditions[node] = GridValue(random);
            defaults[node] = random.Next(2);
            left[node] = Add();
            right[node] = Add();
            Grow(left[node], depth + 1);
            Grow(right[node], depth + 1);
        }
        Grow(Add(), 0);
        static string Array<T>(IEnumerable<T> values, Func<T, string> format) => "[" + string.Join(',', values.Select(format)) + "]";
        var text = new StringBuilder();
        text.Append("{\"left_children\":").Append(Array(left, i => i.ToString(CultureInfo.InvariantCulture)));
        text.Append(",\"right_children\":").Append(Array(right, i => i.ToString(CultureInfo.InvariantCulture)));
        text.Append(",\"split_indices\":").Append(Array(splitFeatures, i => i.ToString(CultureInfo.InvariantCulture)));
        text.Append(",\"split_conditions\":").Append(Array(conditions, c => c.ToString("R", CultureInfo.InvariantCulture)));
        text.Append(",\"default_left\":").Append(Array(defaults, i => i.ToString(CultureInfo.InvariantCulture)));
        return text.Append('}').ToString();
    }

    /// <summary>Row-major rows: NaN, grid values (exactly on thresholds) and one float below them, ±0, ±∞, and anything between.</summary>
    public static float[] Rows(int seed, int rows, int features)
    {
        var random = new Random(seed);
        var values = new float[rows * features];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(10) switch
            {
                0 or 1 => float.NaN,
                2 or 3 or 4 => GridValue(random),
                5 => MathF.BitDecrement(GridValue(random)),
                6 => random.Next(4) switch { 0 => 0f, 1 => -0f, 2 => float.PositiveInfinity, _ => float.NegativeInfinity },
                _ => (float)(random.NextDouble() * 5 - 2.5),
            };
        }
        return values;
    }
}
