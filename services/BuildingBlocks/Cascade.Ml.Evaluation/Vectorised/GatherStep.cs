using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cascade.Ml.Evaluation.Vectorised;

/// <summary>One level of eight independent walks down <see cref="CompleteTreeLayout"/> trees, with AVX2 gathers and no jumps.</summary>
internal static unsafe class GatherStep
{
    /// <summary>
    /// Moves eight walks one level down: lane <c>i</c> is at inner node <c>nodes[node[i]]</c> (heap index
    /// <c>heapIndex[i]</c>) and reads its feature from <c>values[valueBase[i] + feature]</c>; returns each lane's next
    /// heap index, <c>2j</c> (left) or <c>2j + 1</c> (right).
    /// </summary>
    /// <remarks>
    /// XGBoost goes left when <c>value &lt; threshold</c> and follows the node's default on NaN. NLT_US ("not less
    /// than", true when unordered) is exactly "goes right" for every value but NaN, where it says right; the lanes whose
    /// value is NaN at a node whose missing values go left are then cleared. A NaN threshold (never written by XGBoost)
    /// also matches: <c>value &lt; NaN</c> is false, so a number goes right, as it does in the node table.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Next(CompleteNode* nodes, Vector256<int> node, float* values, Vector256<int> valueBase, Vector256<int> heapIndex) =>
        Decide(Avx2.GatherVector256((int*)nodes, node, 8), Avx2.GatherVector256((float*)nodes + 1, node, 8), values, valueBase, heapIndex);

    /// <summary>
    /// <see cref="Next"/> for one of a tree's top three levels, whose (at most four) nodes sit in one register:
    /// <paramref name="level"/> holds the level's nodes from its first, heap index 2^level, as eight ints (word,
    /// threshold, word, …), and <paramref name="twiceLevelStart"/> is 2^(level+1). Two permutes replace two gathers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> NextInRegister(Vector256<int> level, Vector256<int> twiceLevelStart, float* values, Vector256<int> valueBase, Vector256<int> heapIndex)
    {
        var slot = Avx2.Subtract(Avx2.Add(heapIndex, heapIndex), twiceLevelStart);
        var word = Avx2.PermuteVar8x32(level, slot);
        var threshold = Avx2.PermuteVar8x32(level, Avx2.Add(slot, Vector256<int>.One)).AsSingle();
        return Decide(word, threshold, values, valueBase, heapIndex);
    }

    /// <summary>
    /// The step itself, once each lane's node is known: <paramref name="word"/> its feature and missing-left bit,
    /// <paramref name="threshold"/> its threshold.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Decide(Vector256<int> word, Vector256<float> threshold, float* values, Vector256<int> valueBase, Vector256<int> heapIndex)
    {
        var feature = Avx2.And(word, Vector256.Create(int.MaxValue));
        var value = Avx2.GatherVector256(values, Avx2.Add(valueBase, feature), 4);
        var notLess = Avx.Compare(value, threshold, FloatComparisonMode.UnorderedNotLessThanSignaling).AsInt32();
        var missingLeft = Avx2.And(Avx.Compare(value, value, FloatComparisonMode.UnorderedNonSignaling).AsInt32(), Avx2.ShiftRightArithmetic(word, 31));
        // right is all ones (−1) where the row goes right: 2j − (−1) = 2j + 1.
        var right = Avx2.AndNot(missingLeft, notLess);
        return Avx2.Subtract(Avx2.Add(heapIndex, heapIndex), right);
    }

    /// <summary>The leaf values eight walks ended on: <c>leaves[heapIndex[i]]</c> (the leaf base is offset by 2^depth).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Leaves(float* leaves, Vector256<int> heapIndex) => Avx2.GatherVector256(leaves, heapIndex, 4);
}
