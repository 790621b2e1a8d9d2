using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cascade.Ml.Evaluation.Vectorised;

/// <summary>
/// An XGBoost ensemble walked eight at a time with AVX2 gathers and no data-dependent jumps: every tree is re-laid as a
/// complete binary tree (<see cref="CompleteTreeLayout"/>), so a walk is <c>j = 2j + (row goes right)</c>, which a
/// vector computes for eight walks at once. A batch runs tree-major over blocks of 64 rows, eight rows a vector and four
/// vectors in step (a tree's nodes stay in L1 while the block walks it, and four chains of gathers overlap); one row
/// walks eight trees at once, one per lane, two such groups in step. The top three levels of a tree (seven nodes) are
/// read from registers rather than gathered. Every row still adds its leaves in tree order from the base margin, so
/// predictions are bit-identical to <see cref="CompiledModel"/>. Immutable after load and safe on any number of threads;
/// a prediction allocates nothing (but a batch of a model with more than 16 outputs, which takes one array per call).
/// </summary>
/// <remarks>
/// Branches are what held the node table and the IL-compiled trees back: on fresh rows each level of a tree is a jump
/// that goes either way, about three mispredictions a tree. Without AVX2 the same layout is walked one row and one tree
/// at a time (correct, not fast; <see cref="TreeScorers"/> then serves the IL-compiled trees instead).
/// </remarks>
public sealed unsafe class VectorisedModel : IModelScorer
{
    private const int Lanes = CompleteTreeLayout.TreesPerGroup;

    /// <summary>Rows a tree walks before the next tree: 64 rows of 30 features (7.5 KiB) and a depth-6 tree (760 bytes) share L1 with room to spare.</summary>
    private const int BlockRows = 64;

    /// <summary>Levels 0–2 of a tree hold 1 + 2 + 4 nodes: each level's nodes fit one 256-bit register (four 8-byte nodes).</summary>
    private const int TopLevelsInRegisters = 3;

    /// <summary>Nodes of the top three levels.</summary>
    private const int TopNodes = 7;

    /// <summary>Row vectors walked in step: enough independent gathers in flight to hide each one's latency.</summary>
    private const int VectorsInStep = 4;

    private readonly CompiledModel _model;
    private readonly CompleteTreeLayout _layout;
    private readonly CompleteNode* _nodes;
    private readonly float* _leaves;
    private readonly int[] _groups;
    private readonly bool _gathers;

    /// <summary>Per group of trees, eight node offsets (one per lane; lanes past the last tree repeat it) for one-row walks.</summary>
    private readonly int[] _laneNodeOffsets;

    /// <summary>Per group of trees, eight leaf offsets, as <see cref="_laneNodeOffsets"/>.</summary>
    private readonly int[] _laneLeafOffsets;

    /// <summary>
    /// Per group of trees, the words of heap nodes 1–7 (the top three levels) lane by lane: eight ints for node 1 (one
    /// per tree), then eight for node 2, …; a one-row walk reads them with loads and blends instead of gathers.
    /// </summary>
    private readonly int[] _topWords;

    /// <summary>The thresholds of the same nodes, as <see cref="_topWords"/>.</summary>
    private readonly float[] _topThresholds;

    private VectorisedModel(CompiledModel model, CompleteTreeLayout layout, bool gathers)
    {
        _model = model;
        _layout = layout;
        _nodes = (CompleteNode*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(layout.Nodes));
        _leaves = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(layout.Leaves));
        _groups = model.Groups.ToArray();
        _gathers = gathers;
        var trees = model.TreeCount;
        _laneNodeOffsets = new int[layout.GroupDepths.Length * Lanes];
        _laneLeafOffsets = new int[layout.GroupDepths.Length * Lanes];
        _topWords = new int[layout.GroupDepths.Length * TopNodes * Lanes];
        _topThresholds = new float[_topWords.Length];
        for (var i = 0; i < _laneNodeOffsets.Length; i++)
        {
            var tree = Math.Min(i, trees - 1);
            _laneNodeOffsets[i] = layout.NodeOffsets[tree];
            _laneLeafOffsets[i] = layout.LeafOffsets[tree];
            var (group, lane) = Math.DivRem(i, Lanes);
            var topNodes = Math.Min(TopNodes, (1 << layout.GroupDepths[group]) - 1);
            for (var heapIndex = 1; heapIndex <= topNodes; heapIndex++)
            {
                var node = layout.Nodes[layout.NodeOffsets[tree] + heapIndex];
                _topWords[((group * TopNodes) + heapIndex - 1) * Lanes + lane] = node.FeatureAndMissingLeft;
                _topThresholds[((group * TopNodes) + heapIndex - 1) * Lanes + lane] = node.Threshold;
            }
        }
    }

    /// <summary>Lays out <paramref name="model"/>'s trees for vector walks.</summary>
    /// <exception cref="UnsupportedModelException">A tree is deeper than 10 levels, or the padded trees would take more than 64 MiB.</exception>
    public static VectorisedModel From(CompiledModel model) => From(model, Avx2.IsSupported);

    /// <summary>As <see cref="From(CompiledModel)"/>, with the AVX2 walks turned off where <paramref name="useGathers"/> is false (tests of the fallback).</summary>
    internal static VectorisedModel From(CompiledModel model, bool useGathers)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new VectorisedModel(model, CompleteTreeLayout.From(model), useGathers && Avx2.IsSupported);
    }

    /// <summary>Whether this processor runs the vector walks (AVX2); without it the layout is walked one row and tree at a time.</summary>
    public static bool IsHardwareAccelerated => Avx2.IsSupported;

    public int FeatureCount => _model.FeatureCount;

    public int OutputCount => _model.OutputCount;

    /// <summary>Bytes of the laid-out trees, padding included.</summary>
    public long ModelBytes => _layout.Bytes;

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
        fixed (float* values = row)
        {
            RowMargins(values, output);
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
        var featureCount = FeatureCount;
        var outputCount = OutputCount;
        fixed (float* values = rows)
        {
            var start = 0;
            if (_gathers && rowCount >= Lanes)
            {
                // Margins of a block, output-major, so that eight rows' margins of one output are one vector.
                var blockMargins = outputCount * BlockRows <= 1024 ? stackalloc float[outputCount * BlockRows] : new float[outputCount * BlockRows];
                fixed (float* margins = blockMargins)
                {
                    while (rowCount - start >= Lanes)
                    {
                        var count = Math.Min(BlockRows, (rowCount - start) & ~(Lanes - 1));
                        BlockMargins(values + (long)start * featureCount, count, margins);
                        for (var r = 0; r < count; r++)
                        {
                            for (var g = 0; g < outputCount; g++)
                            {
                                outputs[(start + r) * outputCount + g] = margins[g * BlockRows + r];
                            }
                        }
                        start += count;
                    }
                }
            }
            // Fewer than eight rows left (or no AVX2): one row at a time, each row's trees eight to a vector.
            for (var r = start; r < rowCount; r++)
            {
                RowMargins(values + (long)r * featureCount, outputs.Slice(r * outputCount, outputCount));
            }
        }
        if (_model.Objective != Objective.SoftProb)
        {
            // Element-wise transforms (sigmoid, identity): one call for the batch rather than one objective lookup per row.
            Objective.Transform(_model.Objective, outputs);
        }
        else
        {
            for (var r = 0; r < rowCount; r++)
            {
                Objective.Transform(_model.Objective, outputs.Slice(r * outputCount, outputCount));
            }
        }
    }

    /// <summary>
    /// The margins of <paramref name="count"/> rows (a multiple of eight, at most <see cref="BlockRows"/>) into
    /// <paramref name="margins"/>, laid out output-major with a stride of <see cref="BlockRows"/>.
    /// </summary>
    private void BlockMargins(float* rows, int count, float* margins)
    {
        new Span<float>(margins, OutputCount * BlockRows).Fill(_model.BaseMargin);
        var featureCount = FeatureCount;
        var laneRows = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * featureCount;
        var vectorStride = Vector256.Create(Lanes * featureCount);
        var nodeOffsets = _layout.NodeOffsets;
        var leafOffsets = _layout.LeafOffsets;
        var one = Vector256<int>.One;
        // Tree-major: every row of the block meets the trees in order, so its float32 sums are the one-row sums.
        for (var t = 0; t < nodeOffsets.Length; t++)
        {
            var nodes = _nodes + nodeOffsets[t];
            var leaves = _leaves + leafOffsets[t];
            var depth = _layout.Depth(t);
            var sums = margins + _groups[t] * BlockRows;
            // The top three levels (seven nodes) in three registers, loaded once for the block: permutes, not gathers.
            var topLevels = Math.Min(depth, TopLevelsInRegisters);
            var level0 = Vector256.Load((int*)(nodes + 1));
            var level1 = Vector256.Load((int*)(nodes + 2));
            var level2 = Vector256.Load((int*)(nodes + 4));
            var r = 0;
            for (; r + VectorsInStep * Lanes <= count; r += VectorsInStep * Lanes)
            {
                var rows0 = laneRows + Vector256.Create(r * featureCount);
                var rows1 = rows0 + vectorStride;
                var rows2 = rows1 + vectorStride;
                var rows3 = rows2 + vectorStride;
                Vector256<int> j0 = one, j1 = one, j2 = one, j3 = one;
                for (var d = 0; d < topLevels; d++)
                {
                    var level = d == 0 ? level0 : d == 1 ? level1 : level2;
                    var twiceLevelStart = Vector256.Create(2 << d);
                    j0 = GatherStep.NextInRegister(level, twiceLevelStart, rows, rows0, j0);
                    j1 = GatherStep.NextInRegister(level, twiceLevelStart, rows, rows1, j1);
                    j2 = GatherStep.NextInRegister(level, twiceLevelStart, rows, rows2, j2);
                    j3 = GatherStep.NextInRegister(level, twiceLevelStart, rows, rows3, j3);
                }
                for (var d = topLevels; d < depth; d++)
                {
                    j0 = GatherStep.Next(nodes, j0, rows, rows0, j0);
                    j1 = GatherStep.Next(nodes, j1, rows, rows1, j1);
                    j2 = GatherStep.Next(nodes, j2, rows, rows2, j2);
                    j3 = GatherStep.Next(nodes, j3, rows, rows3, j3);
                }
                Add(sums + r, GatherStep.Leaves(leaves, j0));
                Add(sums + r + Lanes, GatherStep.Leaves(leaves, j1));
                Add(sums + r + 2 * Lanes, GatherStep.Leaves(leaves, j2));
                Add(sums + r + 3 * Lanes, GatherStep.Leaves(leaves, j3));
            }
            for (; r < count; r += Lanes)
            {
                var rowsOfVector = laneRows + Vector256.Create(r * featureCount);
                var j = one;
                for (var d = 0; d < depth; d++)
                {
                    j = GatherStep.Next(nodes, j, rows, rowsOfVector, j);
                }
                Add(sums + r, GatherStep.Leaves(leaves, j));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* sums, Vector256<float> leaves) => Avx.Store(sums, Avx.Add(Avx.LoadVector256(sums), leaves));

    /// <summary>One row's margins: each group of eight trees walked at once, one tree per lane.</summary>
    private void RowMargins(float* row, Span<float> margins)
    {
        margins.Fill(_model.BaseMargin);
        if (!_gathers)
        {
            ScalarRowMargins(row, margins);
            return;
        }
        var groupDepths = _layout.GroupDepths;
        var trees = _groups.Length;
        var g = 0;
        while (g < groupDepths.Length)
        {
            if (g + 1 < groupDepths.Length && groupDepths[g + 1] == groupDepths[g])
            {
                // Two groups in step: sixteen independent walks keep twice the gathers in flight.
                var (leaves0, leaves1) = WalkTwoGroups(g, groupDepths[g], row);
                AddLeaves(leaves0, g * Lanes, Lanes, margins);
                AddLeaves(leaves1, (g + 1) * Lanes, Math.Min(Lanes, trees - (g + 1) * Lanes), margins);
                g += 2;
            }
            else
            {
                AddLeaves(WalkGroup(g, groupDepths[g], row), g * Lanes, Math.Min(Lanes, trees - g * Lanes), margins);
                g++;
            }
        }
    }

    /// <summary>The leaves one row reaches in the eight trees of group <paramref name="g"/>, one tree per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> WalkGroup(int g, int depth, float* row)
    {
        var nodeOffsets = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_laneNodeOffsets), (nuint)(g * Lanes));
        var j = WalkTopLevels(g, depth, row);
        for (var d = TopLevelsInRegisters; d < depth; d++)
        {
            j = GatherStep.Next(_nodes, nodeOffsets + j, row, Vector256<int>.Zero, j);
        }
        return GatherStep.Leaves(_leaves, Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_laneLeafOffsets), (nuint)(g * Lanes)) + j);
    }

    /// <summary><see cref="WalkGroup"/> for groups <paramref name="g"/> and g + 1 (of the same depth) in step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Vector256<float>, Vector256<float>) WalkTwoGroups(int g, int depth, float* row)
    {
        ref var nodeOffsets = ref MemoryMarshal.GetArrayDataReference(_laneNodeOffsets);
        ref var leafOffsets = ref MemoryMarshal.GetArrayDataReference(_laneLeafOffsets);
        var nodes0 = Vector256.LoadUnsafe(ref nodeOffsets, (nuint)(g * Lanes));
        var nodes1 = Vector256.LoadUnsafe(ref nodeOffsets, (nuint)((g + 1) * Lanes));
        var j0 = WalkTopLevels(g, depth, row);
        var j1 = WalkTopLevels(g + 1, depth, row);
        for (var d = TopLevelsInRegisters; d < depth; d++)
        {
            j0 = GatherStep.Next(_nodes, nodes0 + j0, row, Vector256<int>.Zero, j0);
            j1 = GatherStep.Next(_nodes, nodes1 + j1, row, Vector256<int>.Zero, j1);
        }
        return (GatherStep.Leaves(_leaves, Vector256.LoadUnsafe(ref leafOffsets, (nuint)(g * Lanes)) + j0),
            GatherStep.Leaves(_leaves, Vector256.LoadUnsafe(ref leafOffsets, (nuint)((g + 1) * Lanes)) + j1));
    }

    /// <summary>
    /// The first (at most three) levels of group <paramref name="g"/>'s walks for one row, from the lane-by-lane copies
    /// of the top nodes: level 0 is one load, and at levels 1 and 2 each lane picks its node among two or four by the
    /// turns it took, with blends on the bits of its heap index. Returns the heap index reached.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> WalkTopLevels(int g, int depth, float* row)
    {
        var j = Vector256<int>.One;
        if (depth == 0)
        {
            return j;
        }
        ref var words = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_topWords), g * TopNodes * Lanes);
        ref var thresholds = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_topThresholds), g * TopNodes * Lanes);
        var zero = Vector256<int>.Zero;
        j = GatherStep.Decide(Vector256.LoadUnsafe(ref words), Vector256.LoadUnsafe(ref thresholds), row, zero, j);
        if (depth == 1)
        {
            return j;
        }
        // Heap index 2 or 3: its low bit (moved to the sign, which blendv reads) is the turn at level 0.
        var turn = Avx2.ShiftLeftLogical(j, 31).AsSingle();
        j = GatherStep.Decide(
            Select(ref words, 1, 2, turn).AsInt32(),
            Select(ref thresholds, 1, 2, turn),
            row, zero, j);
        if (depth == 2)
        {
            return j;
        }
        // Heap index 4–7: bit 1 the turn at level 0, bit 0 the turn at level 1.
        var lastTurn = Avx2.ShiftLeftLogical(j, 31).AsSingle();
        var firstTurn = Avx2.ShiftLeftLogical(j, 30).AsSingle();
        var word = Avx.BlendVariable(Select(ref words, 3, 4, lastTurn), Select(ref words, 5, 6, lastTurn), firstTurn);
        var threshold = Avx.BlendVariable(Select(ref thresholds, 3, 4, lastTurn), Select(ref thresholds, 5, 6, lastTurn), firstTurn);
        return GatherStep.Decide(word.AsInt32(), threshold, row, zero, j);
    }

    /// <summary>Per lane, top node <paramref name="right"/> where the sign of <paramref name="turn"/> is set, else <paramref name="left"/> (0-based among nodes 1–7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Select(ref int nodes, int left, int right, Vector256<float> turn) =>
        Avx.BlendVariable(Vector256.LoadUnsafe(ref nodes, (nuint)(left * Lanes)).AsSingle(), Vector256.LoadUnsafe(ref nodes, (nuint)(right * Lanes)).AsSingle(), turn);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Select(ref float nodes, int left, int right, Vector256<float> turn) =>
        Avx.BlendVariable(Vector256.LoadUnsafe(ref nodes, (nuint)(left * Lanes)), Vector256.LoadUnsafe(ref nodes, (nuint)(right * Lanes)), turn);

    /// <summary>Adds the leaves of trees <paramref name="firstTree"/>.. (one per lane) to their outputs, in tree order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddLeaves(Vector256<float> leaves, int firstTree, int treeCount, Span<float> margins)
    {
        if (margins.Length == 1 && treeCount == Lanes)
        {
            // One output: eight dependent float32 adds in tree order, straight from the register.
            var sum = margins[0];
            sum += leaves.GetElement(0);
            sum += leaves.GetElement(1);
            sum += leaves.GetElement(2);
            sum += leaves.GetElement(3);
            sum += leaves.GetElement(4);
            sum += leaves.GetElement(5);
            sum += leaves.GetElement(6);
            sum += leaves.GetElement(7);
            margins[0] = sum;
            return;
        }
        for (var k = 0; k < treeCount; k++)
        {
            margins[_groups[firstTree + k]] += leaves.GetElement(k);
        }
    }

    /// <summary>The fallback without AVX2: the same complete trees, one row and one tree at a time.</summary>
    private void ScalarRowMargins(float* row, Span<float> margins)
    {
        var nodeOffsets = _layout.NodeOffsets;
        var leafOffsets = _layout.LeafOffsets;
        for (var t = 0; t < nodeOffsets.Length; t++)
        {
            var nodes = _nodes + nodeOffsets[t];
            var depth = _layout.Depth(t);
            var j = 1;
            for (var d = 0; d < depth; d++)
            {
                var node = nodes[j];
                var value = row[node.Feature];
                var right = float.IsNaN(value) ? !node.MissingGoesLeft : !(value < node.Threshold);
                j = 2 * j + (right ? 1 : 0);
            }
            margins[_groups[t]] += _leaves[leafOffsets[t] + j];
        }
    }
}
