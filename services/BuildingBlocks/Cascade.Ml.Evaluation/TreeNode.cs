using System.Runtime.InteropServices;

namespace Cascade.Ml.Evaluation;

/// <summary>One node of the flattened ensemble: 16 bytes, so four fit a cache line.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct TreeNode(float value, int feature, bool defaultLeft, int left, int right)
{
    /// <summary>The split threshold of an inner node, or the leaf value.</summary>
    public readonly float Value = value;

    /// <summary>Feature index; the top bit carries "missing goes left".</summary>
    private readonly int _feature = defaultLeft ? feature | int.MinValue : feature;

    /// <summary>Global index of the left child, or -1 at a leaf.</summary>
    public readonly int Left = left;

    /// <summary>Global index of the right child.</summary>
    public readonly int Right = right;

    public int Feature => _feature & int.MaxValue;

    public bool DefaultLeft => _feature < 0;

    public bool IsLeaf => Left < 0;
}
