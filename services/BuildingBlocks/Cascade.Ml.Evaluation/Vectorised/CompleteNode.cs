using System.Runtime.InteropServices;

namespace Cascade.Ml.Evaluation.Vectorised;

/// <summary>
/// One inner node of a <see cref="CompleteTreeLayout"/> in 8 bytes: the feature, with "missing goes left" in the top
/// bit, then the float32 threshold. Both halves are read by one gather each with scale 8, so they share a cache line.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct CompleteNode(int feature, float threshold, bool missingGoesLeft)
{
    /// <summary>Bits 0–30 the feature; bit 31 set when a missing value (NaN) goes to the left child.</summary>
    public readonly int FeatureAndMissingLeft = missingGoesLeft ? feature | int.MinValue : feature;

    /// <summary>A row goes left when <c>value &lt; Threshold</c> (float32), right otherwise.</summary>
    public readonly float Threshold = threshold;

    /// <summary>
    /// Stands in for a leaf above the tree's last level: both its subtrees repeat that leaf, so the way a row goes is
    /// irrelevant (feature 0 is read and ignored; a model whose trees split has at least one feature).
    /// </summary>
    public static CompleteNode Padding => new(0, 0f, false);

    public int Feature => FeatureAndMissingLeft & int.MaxValue;

    public bool MissingGoesLeft => FeatureAndMissingLeft < 0;
}
