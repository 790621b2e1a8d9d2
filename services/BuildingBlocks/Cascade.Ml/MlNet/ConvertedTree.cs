namespace Cascade.Ml.MlNet;

/// <summary>
/// One tree in XGBoost's node layout (what Cascade's evaluator and XGBoost read): a node is a leaf when its left child
/// is -1; an inner node sends <c>value &lt; Threshold</c> left and NaN to its default child. <see cref="Value"/> holds
/// the split threshold of an inner node and the leaf value of a leaf, as XGBoost's <c>split_conditions</c> does.
/// </summary>
/// <param name="Group">Output group (class) the tree adds to; 0 for one output.</param>
/// <param name="Cover">Rows (of the data the conversion saw) reaching each node: XGBoost's TreeSHAP weighs paths by it.</param>
internal sealed record ConvertedTree(int Group, int[] Left, int[] Right, int[] Feature, float[] Value, bool[] DefaultLeft, double[] Cover)
{
    public int NodeCount => Left.Length;

    public bool IsLeaf(int node) => Left[node] == -1;

    /// <summary>A tree of one leaf: adds <paramref name="value"/> to every row (a bias, or a tree ML.NET evaluates as 0).</summary>
    public static ConvertedTree Constant(int group, float value) => new(group, [-1], [-1], [0], [value], [false], [1]);

    /// <summary>
    /// The same tree numbered breadth-first, each right child right after its left one: XGBoost's predictor takes the
    /// right child to be <c>left + 1</c> (and its own trees are numbered so), whatever <c>right_children</c> says.
    /// </summary>
    public ConvertedTree WithSiblingsAdjacent()
    {
        var order = new List<int>(NodeCount) { 0 };
        for (var i = 0; i < order.Count; i++)
        {
            if (!IsLeaf(order[i]))
            {
                order.Add(Left[order[i]]);
                order.Add(Right[order[i]]);
            }
        }
        if (order.Count != NodeCount)
        {
            throw new InvalidOperationException($"The tree has {NodeCount} nodes, {order.Count} of them reachable from the root.");
        }
        var position = new int[NodeCount];
        for (var i = 0; i < order.Count; i++) position[order[i]] = i;
        int Map(int child) => child < 0 ? -1 : position[child];
        return new ConvertedTree(
            Group,
            order.Select(n => Map(Left[n])).ToArray(),
            order.Select(n => Map(Right[n])).ToArray(),
            order.Select(n => Feature[n]).ToArray(),
            order.Select(n => Value[n]).ToArray(),
            order.Select(n => DefaultLeft[n]).ToArray(),
            order.Select(n => Cover[n]).ToArray());
    }

    /// <summary>The leaf a row reaches, exactly as the compiled evaluator walks it.</summary>
    public int LeafOf(ReadOnlySpan<float> row)
    {
        var node = 0;
        while (!IsLeaf(node))
        {
            var value = row[Feature[node]];
            node = float.IsNaN(value)
                ? (DefaultLeft[node] ? Left[node] : Right[node])
                : (value < Value[node] ? Left[node] : Right[node]);
        }
        return node;
    }
}
