using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cascade.Ml.Evaluation.Quantised;

/// <summary>
/// One node in 8 bytes. Key: bits 0–15 the split's bin (<see cref="LeafBin"/> at a leaf), bit 16 "missing goes
/// right", bits 17–31 the feature. Payload: an inner node's left child (the right child is the next node), or a leaf's
/// float value.
/// </summary>
/// <remarks>
/// Rows arrive as bins (<see cref="ThresholdBins"/>): 0 for NaN, else 1 + the number of the feature's thresholds ≤ the
/// value. A split at the feature's k-th threshold (from 0) goes right when bin ≥ k + 2. Storing
/// <c>k + 2 − missingRight</c> and comparing <c>(uint)(bin − missingRight) ≥ stored</c> sends NaN (bin 0) left
/// where missing goes left (0 is below every stored bin, which is ≥ 1) and right where it goes right (0 − 1 wraps to
/// the largest uint), with no branch. A leaf's bin 0xFFFF is above every row bin, so a leaf never goes right.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct PackedNode
{
    public const int LeafBin = 0xFFFF;

    /// <summary>The most features a packed model can address (15 bits).</summary>
    public const int MaxFeatures = 1 << 15;

    private readonly uint _key;
    private readonly int _payload;

    private PackedNode(uint key, int payload)
    {
        _key = key;
        _payload = payload;
    }

    public static PackedNode Inner(int feature, int thresholdIndex, bool missingGoesRight, int leftChild)
    {
        var missingRight = missingGoesRight ? 1u : 0u;
        var bin = (uint)thresholdIndex + 2 - missingRight;
        return new PackedNode(((uint)feature << 17) | (missingRight << 16) | bin, leftChild);
    }

    public static PackedNode Leaf(float value) => new(LeafBin, BitConverter.SingleToInt32Bits(value));

    public bool IsLeaf => (_key & 0xFFFF) == LeafBin;

    /// <summary>
    /// The node a row with <paramref name="bins"/> moves to from node <paramref name="id"/>: the left or right child of
    /// an inner node, the node itself at a leaf (so a walk of a tree's depth needs no jump to stop at shallower
    /// leaves). No bounds checks: the node indices were laid out when the model was built, every feature index is
    /// below the row's bin count, and the caller passes a row of that many bins.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Step(ref PackedNode nodes, int id, ref ushort bins)
    {
        ref readonly var node = ref Unsafe.Add(ref nodes, id);
        var key = node._key;
        var bin = key & 0xFFFF;
        var missingRight = (key >> 16) & 1;
        // Arithmetic rather than `? :`: the JIT does not turn conditionals inside loops into conditional moves, and a
        // jump here would be mispredicted half the time. right = no borrow in (row bin − missingRight) − bin, as a
        // 64-bit difference of zero-extended 32-bit values.
        var difference = (long)((uint)Unsafe.Add(ref bins, (int)(key >> 17)) - missingRight) - bin;
        var right = (int)((ulong)~difference >> 63);
        // innerMask: all ones at an inner node, zero at a leaf (bin 0xFFFF + 1 carries into bit 16).
        var innerMask = (int)((bin + 1) >> 16) - 1;
        return id + ((node._payload + right - id) & innerMask);
    }

    public float LeafValue => BitConverter.Int32BitsToSingle(_payload);
}
