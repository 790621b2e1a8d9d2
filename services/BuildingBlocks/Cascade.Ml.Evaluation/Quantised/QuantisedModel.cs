using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cascade.Ml.Evaluation.Quantised;

/// <summary>
/// An XGBoost ensemble whose splits compare integers: each row is mapped once to bins of the model's own thresholds
/// (<see cref="ThresholdBins"/>), and every node is an 8-byte <see cref="PackedNode"/> comparing a bin. The outcome of
/// every compare is the float compare's, so predictions are bit-identical to <see cref="CompiledModel"/>; the model is
/// half the node table's size, and a tree is walked to its depth without a single data-dependent jump.
/// Immutable after load and safe on any number of threads.
/// </summary>
public sealed class QuantisedModel : IModelScorer
{
    /// <summary>Rows whose bins are computed together before the trees run over them (tree-major within the block).</summary>
    private const int BlockRows = 64;

    private readonly CompiledModel _model;
    private readonly ThresholdBins _bins;
    private readonly PackedNode[] _nodes;
    private readonly int[] _roots;
    private readonly int[] _depths;
    private readonly int[] _groups;
    private readonly int _binsPerRow;

    private QuantisedModel(CompiledModel model, ThresholdBins bins, PackedNode[] nodes, int[] roots, int[] depths)
    {
        _model = model;
        _bins = bins;
        _nodes = nodes;
        _roots = roots;
        _depths = depths;
        _groups = model.Groups.ToArray();
        // A leaf reads the bin of feature 0 (and ignores it): even a model without features has one bin per row.
        _binsPerRow = Math.Max(1, model.FeatureCount);
    }

    /// <summary>Quantises <paramref name="model"/>.</summary>
    /// <exception cref="UnsupportedModelException">The model has more features or thresholds than 16-bit bins and 15-bit feature indices hold, or a NaN threshold.</exception>
    public static QuantisedModel From(CompiledModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.FeatureCount > PackedNode.MaxFeatures)
        {
            throw new UnsupportedModelException($"The model has {model.FeatureCount} features; packed nodes address at most {PackedNode.MaxFeatures}.");
        }
        var bins = ThresholdBins.From(model);
        var source = model.Nodes;
        var nodes = new PackedNode[source.Length];
        var roots = new int[model.TreeCount];
        var depths = new int[model.TreeCount];
        var next = 0;
        for (var t = 0; t < roots.Length; t++)
        {
            // Breadth first, so an inner node's two children are neighbours and the node stores only the left one.
            roots[t] = next++;
            var queue = new Queue<(int Source, int Target, int Depth)>();
            queue.Enqueue((model.Roots[t], roots[t], 0));
            while (queue.TryDequeue(out var item))
            {
                var node = source[item.Source];
                depths[t] = Math.Max(depths[t], item.Depth);
                if (node.IsLeaf)
                {
                    nodes[item.Target] = PackedNode.Leaf(node.Value);
                    continue;
                }
                var left = next;
                next += 2;
                nodes[item.Target] = PackedNode.Inner(node.Feature, bins.IndexOf(node.Feature, node.Value), !node.DefaultLeft, left);
                queue.Enqueue((node.Left, left, item.Depth + 1));
                queue.Enqueue((node.Right, left + 1, item.Depth + 1));
            }
        }
        return new QuantisedModel(model, bins, nodes[..next], roots, depths);
    }

    public int FeatureCount => _model.FeatureCount;

    public int OutputCount => _model.OutputCount;

    /// <summary>Nodes, inner and leaf: <see cref="NodeBytes"/> each.</summary>
    public int NodeCount => _nodes.Length;

    /// <summary>Bytes of one packed node.</summary>
    public static int NodeBytes => Unsafe.SizeOf<PackedNode>();

    /// <summary>What the model occupies: its nodes and the thresholds rows are binned against (root and depth tables aside).</summary>
    public long ModelBytes => (long)_nodes.Length * NodeBytes + (long)_bins.Count * sizeof(float);

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
        Span<ushort> bins = _binsPerRow <= 1024 ? stackalloc ushort[_binsPerRow] : new ushort[_binsPerRow];
        bins.Clear();
        _bins.Quantise(row, bins);
        output.Fill(_model.BaseMargin);
        var nodes = _nodes;
        for (var t = 0; t < _roots.Length; t++)
        {
            output[_groups[t]] += Walk(nodes, _roots[t], _depths[t], bins);
        }
        Objective.Transform(_model.Objective, output);
    }

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
        var binsPerRow = _binsPerRow;
        // 64 rows of up to 128 features binned on the stack (16 KiB); wider models take an array per call.
        Span<ushort> blockBins = BlockRows * binsPerRow <= 8192 ? stackalloc ushort[BlockRows * binsPerRow] : new ushort[BlockRows * binsPerRow];
        var nodes = _nodes;
        outputs.Fill(_model.BaseMargin);
        for (var start = 0; start < rowCount; start += BlockRows)
        {
            var count = Math.Min(BlockRows, rowCount - start);
            for (var r = 0; r < count; r++)
            {
                _bins.Quantise(rows.Slice((start + r) * FeatureCount, FeatureCount), blockBins.Slice(r * binsPerRow, binsPerRow));
            }
            // Tree-major within the block: a tree's nodes stay in L1 while the block's rows walk it; each row still
            // adds its leaves in tree order, so its float32 sum is the one-row-at-a-time sum.
            ref var bins0 = ref MemoryMarshal.GetReference(blockBins);
            ref var nodes0 = ref MemoryMarshal.GetArrayDataReference(nodes);
            for (var t = 0; t < _roots.Length; t++)
            {
                var root = _roots[t];
                var depth = _depths[t];
                var group = _groups[t];
                var r = 0;
                // Four rows walk the tree in step: four independent chains of loads keep the core busy while each
                // waits for its next node, where one row alone would stall on every level.
                for (; r + 4 <= count; r += 4)
                {
                    ref var b0 = ref Unsafe.Add(ref bins0, r * binsPerRow);
                    ref var b1 = ref Unsafe.Add(ref b0, binsPerRow);
                    ref var b2 = ref Unsafe.Add(ref b1, binsPerRow);
                    ref var b3 = ref Unsafe.Add(ref b2, binsPerRow);
                    int i0 = root, i1 = root, i2 = root, i3 = root;
                    for (var d = 0; d < depth; d++)
                    {
                        i0 = PackedNode.Step(ref nodes0, i0, ref b0);
                        i1 = PackedNode.Step(ref nodes0, i1, ref b1);
                        i2 = PackedNode.Step(ref nodes0, i2, ref b2);
                        i3 = PackedNode.Step(ref nodes0, i3, ref b3);
                    }
                    var o = (start + r) * OutputCount + group;
                    outputs[o] += nodes[i0].LeafValue;
                    outputs[o + OutputCount] += nodes[i1].LeafValue;
                    outputs[o + 2 * OutputCount] += nodes[i2].LeafValue;
                    outputs[o + 3 * OutputCount] += nodes[i3].LeafValue;
                }
                for (; r < count; r++)
                {
                    outputs[(start + r) * OutputCount + group] += Walk(nodes, root, depth, blockBins.Slice(r * binsPerRow, binsPerRow));
                }
            }
        }
        for (var r = 0; r < rowCount; r++)
        {
            Objective.Transform(_model.Objective, outputs.Slice(r * OutputCount, OutputCount));
        }
    }

    /// <summary>Walks exactly <paramref name="depth"/> steps (leaves step to themselves) and returns the leaf reached.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Walk(PackedNode[] nodes, int root, int depth, ReadOnlySpan<ushort> bins)
    {
        ref var first = ref MemoryMarshal.GetArrayDataReference(nodes);
        ref var rowBins = ref MemoryMarshal.GetReference(bins);
        var id = root;
        for (var d = 0; d < depth; d++)
        {
            id = PackedNode.Step(ref first, id, ref rowBins);
        }
        return nodes[id].LeafValue;
    }
}
