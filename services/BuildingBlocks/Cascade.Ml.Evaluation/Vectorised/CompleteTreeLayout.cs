namespace Cascade.Ml.Evaluation.Vectorised;

/// <summary>
/// Every tree of an ensemble re-laid as a complete binary tree in heap order, so that a walk needs no child pointers:
/// from node <c>j</c> (the root is 1) a row moves to <c>2j</c> (left) or <c>2j + 1</c> (right), and after
/// <c>depth</c> steps <c>j − 2^depth</c> is its leaf. A leaf above the last level becomes <see cref="CompleteNode.Padding"/>
/// nodes whose subtrees all end in copies of it, so every row takes exactly <c>depth</c> steps and reaches the leaf it
/// reached before: the same compares, in the same order, as the node table.
/// </summary>
/// <remarks>
/// Trees are grouped in runs of <see cref="TreesPerGroup"/> consecutive trees padded to the deepest of them, so that
/// one 8-lane vector can walk a whole group for one row (one tree per lane) as well as one tree for eight rows. Padding
/// doubles a tree's size per missing level, so trees deeper than <see cref="MaxDepth"/> are refused (loss-guided trees
/// of hundreds of levels are walked by the other evaluators).
/// </remarks>
internal sealed class CompleteTreeLayout
{
    /// <summary>Trees walked together for one row: the lanes of a 256-bit vector of ints.</summary>
    public const int TreesPerGroup = 8;

    /// <summary>The deepest tree laid out: 1,023 inner nodes and 1,024 leaves, 12 KiB.</summary>
    public const int MaxDepth = 10;

    /// <summary>Nodes after the last tree that the loads of a shallow tree's top levels may read (heap index 7 of a tree without inner nodes).</summary>
    public const int TopLevelSlack = 8;

    /// <summary>The most bytes a layout may take (padding included), so that a wide, deep ensemble cannot exhaust memory at load.</summary>
    public const long MaxBytes = 64L << 20;

    private CompleteTreeLayout(CompleteNode[] nodes, float[] leaves, int[] nodeOffsets, int[] leafOffsets, int[] groupDepths)
    {
        Nodes = nodes;
        Leaves = leaves;
        NodeOffsets = nodeOffsets;
        LeafOffsets = leafOffsets;
        GroupDepths = groupDepths;
    }

    /// <summary>Every tree's inner nodes, tree after tree (pinned: the walkers gather from it by address).</summary>
    public CompleteNode[] Nodes { get; }

    /// <summary>Every tree's leaves, tree after tree (pinned).</summary>
    public float[] Leaves { get; }

    /// <summary>Per tree: node <c>j</c> (1-based heap index) of the tree is <c>Nodes[NodeOffsets[t] + j]</c>.</summary>
    public int[] NodeOffsets { get; }

    /// <summary>Per tree: the leaf a walk ends on at heap index <c>j</c> is <c>Leaves[LeafOffsets[t] + j]</c>.</summary>
    public int[] LeafOffsets { get; }

    /// <summary>Per group of <see cref="TreesPerGroup"/> trees: the depth every tree of the group is padded to.</summary>
    public int[] GroupDepths { get; }

    /// <summary>The depth tree <paramref name="tree"/> is walked to (its group's).</summary>
    public int Depth(int tree) => GroupDepths[tree / TreesPerGroup];

    /// <summary>Bytes of nodes and leaves, padding included.</summary>
    public long Bytes => (long)Nodes.Length * 8 + (long)Leaves.Length * sizeof(float);

    /// <summary>Lays out every tree of <paramref name="model"/>.</summary>
    /// <exception cref="UnsupportedModelException">A tree is deeper than <see cref="MaxDepth"/>, or the padded layout would exceed <see cref="MaxBytes"/>.</exception>
    public static CompleteTreeLayout From(CompiledModel model)
    {
        var source = model.Nodes;
        var roots = model.Roots;
        var trees = roots.Length;
        var groupDepths = new int[(trees + TreesPerGroup - 1) / TreesPerGroup];
        for (var t = 0; t < trees; t++)
        {
            var depth = Depth(source, roots[t]);
            if (depth > MaxDepth)
            {
                throw new UnsupportedModelException($"Tree {t} is {depth} levels deep; complete trees are laid out to at most {MaxDepth}.");
            }
            groupDepths[t / TreesPerGroup] = Math.Max(groupDepths[t / TreesPerGroup], depth);
        }
        long innerCount = 0, leafCount = 0;
        for (var t = 0; t < trees; t++)
        {
            var leavesOfTree = 1L << groupDepths[t / TreesPerGroup];
            innerCount += leavesOfTree - 1;
            leafCount += leavesOfTree;
        }
        if (innerCount * 8 + leafCount * sizeof(float) > MaxBytes)
        {
            throw new UnsupportedModelException($"The complete trees would take {innerCount * 8 + leafCount * sizeof(float):N0} bytes; at most {MaxBytes:N0} are laid out.");
        }

        // Pinned: the walkers hand the arrays' addresses to gather instructions and keep them for the model's lifetime.
        // Slack past the last tree: a walk loads each of a tree's top three levels as four nodes (heap indices 1–4, 2–5,
        // 4–7) whatever its depth, which reads past the end of a tree shallower than 3 (and ignores what it read).
        var nodes = GC.AllocateArray<CompleteNode>((int)innerCount + TopLevelSlack, pinned: true);
        var leaves = GC.AllocateArray<float>((int)Math.Max(1, leafCount), pinned: true);
        var nodeOffsets = new int[trees];
        var leafOffsets = new int[trees];
        int nextNode = 0, nextLeaf = 0;
        for (var t = 0; t < trees; t++)
        {
            var depth = groupDepths[t / TreesPerGroup];
            // Heap index j of this tree lives at nextNode + j − 1; the leaf at heap index j (2^depth ≤ j < 2^(depth+1)) at nextLeaf + j − 2^depth.
            nodeOffsets[t] = nextNode - 1;
            leafOffsets[t] = nextLeaf - (1 << depth);
            Place(source, roots[t], 1, 0, depth, nodes, nodeOffsets[t], leaves, leafOffsets[t]);
            nextNode += (1 << depth) - 1;
            nextLeaf += 1 << depth;
        }
        return new CompleteTreeLayout(nodes, leaves, nodeOffsets, leafOffsets, groupDepths);
    }

    /// <summary>Edges on the longest path from <paramref name="root"/> to a leaf.</summary>
    private static int Depth(ReadOnlySpan<TreeNode> nodes, int root)
    {
        var deepest = 0;
        var pending = new Stack<(int Node, int Depth)>();
        pending.Push((root, 0));
        while (pending.TryPop(out var item))
        {
            var node = nodes[item.Node];
            if (node.IsLeaf)
            {
                deepest = Math.Max(deepest, item.Depth);
                continue;
            }
            // Deeper than any layout: stop here rather than walk a degenerate tree of thousands of levels to the end.
            if (item.Depth > MaxDepth)
            {
                return item.Depth;
            }
            pending.Push((node.Left, item.Depth + 1));
            pending.Push((node.Right, item.Depth + 1));
        }
        return deepest;
    }

    /// <summary>Writes the subtree at <paramref name="sourceNode"/> to heap index <paramref name="heapIndex"/> at <paramref name="level"/>.</summary>
    private static void Place(ReadOnlySpan<TreeNode> source, int sourceNode, int heapIndex, int level, int depth, CompleteNode[] nodes, int nodeOffset, float[] leaves, int leafOffset)
    {
        var node = source[sourceNode];
        if (level == depth)
        {
            // Depth(...) bounds every path, so only leaves reach the last level.
            leaves[leafOffset + heapIndex] = node.Value;
            return;
        }
        if (node.IsLeaf)
        {
            nodes[nodeOffset + heapIndex] = CompleteNode.Padding;
            Place(source, sourceNode, 2 * heapIndex, level + 1, depth, nodes, nodeOffset, leaves, leafOffset);
            Place(source, sourceNode, 2 * heapIndex + 1, level + 1, depth, nodes, nodeOffset, leaves, leafOffset);
            return;
        }
        nodes[nodeOffset + heapIndex] = new CompleteNode(node.Feature, node.Value, node.DefaultLeft);
        Place(source, node.Left, 2 * heapIndex, level + 1, depth, nodes, nodeOffset, leaves, leafOffset);
        Place(source, node.Right, 2 * heapIndex + 1, level + 1, depth, nodes, nodeOffset, leaves, leafOffset);
    }
}
