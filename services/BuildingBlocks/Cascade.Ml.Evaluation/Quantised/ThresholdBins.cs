using System.Runtime.CompilerServices;

namespace Cascade.Ml.Evaluation.Quantised;

/// <summary>
/// Each feature's distinct split thresholds, sorted: what maps a row's floats once to the small integers every node
/// of the <see cref="QuantisedModel"/> compares. A value's bin is 0 for NaN, else 1 + the number of the feature's
/// thresholds ≤ the value, so <c>value &lt; threshold[k]</c> exactly when <c>bin &lt; k + 2</c>: the same outcome as
/// the float compare, for every value.
/// </summary>
internal sealed class ThresholdBins
{
    /// <summary>At most this many distinct thresholds per feature, so every row bin and node bin fits 16 bits below the leaf mark.</summary>
    public const int MaxThresholdsPerFeature = 0xFFFD;

    private readonly float[] _thresholds;
    private readonly int[] _offsets;
    private readonly int[] _usedFeatures;

    private ThresholdBins(float[] thresholds, int[] offsets, int[] usedFeatures)
    {
        _thresholds = thresholds;
        _offsets = offsets;
        _usedFeatures = usedFeatures;
    }

    /// <summary>Distinct thresholds over all features: 4 bytes each in the model.</summary>
    public int Count => _thresholds.Length;

    /// <summary>Collects every feature's thresholds from the inner nodes of <paramref name="model"/>.</summary>
    /// <exception cref="UnsupportedModelException">A threshold is NaN, or a feature has more than <see cref="MaxThresholdsPerFeature"/>.</exception>
    public static ThresholdBins From(CompiledModel model)
    {
        var perFeature = new List<float>[model.FeatureCount];
        foreach (var node in model.Nodes)
        {
            if (node.IsLeaf)
            {
                continue;
            }
            if (float.IsNaN(node.Value))
            {
                throw new UnsupportedModelException($"A split on feature {node.Feature} has a NaN threshold, which no bin can represent.");
            }
            (perFeature[node.Feature] ??= []).Add(node.Value);
        }
        var thresholds = new List<float>();
        var offsets = new int[model.FeatureCount + 1];
        var used = new List<int>();
        for (var f = 0; f < model.FeatureCount; f++)
        {
            offsets[f] = thresholds.Count;
            if (perFeature[f] is not { } values)
            {
                continue;
            }
            used.Add(f);
            values.Sort();
            // Distinct by float equality: -0 and +0 compare equal, so they are one threshold.
            var distinct = values.Where((v, i) => i == 0 || v != values[i - 1]).ToArray();
            if (distinct.Length > MaxThresholdsPerFeature)
            {
                throw new UnsupportedModelException($"Feature {f} has {distinct.Length} distinct thresholds; 16-bit bins hold at most {MaxThresholdsPerFeature}.");
            }
            thresholds.AddRange(distinct);
        }
        offsets[model.FeatureCount] = thresholds.Count;
        return new ThresholdBins(thresholds.ToArray(), offsets, used.ToArray());
    }

    /// <summary>The index of <paramref name="threshold"/> among <paramref name="feature"/>'s sorted distinct thresholds.</summary>
    public int IndexOf(int feature, float threshold)
    {
        var index = Array.BinarySearch(_thresholds, _offsets[feature], _offsets[feature + 1] - _offsets[feature], threshold);
        return index >= 0 ? index - _offsets[feature] : throw new InvalidOperationException($"{threshold:R} is not a threshold of feature {feature}.");
    }

    /// <summary>1 or 0 from a compare's flag (a setcc, no jump).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AsInt(bool condition) => Unsafe.BitCast<bool, byte>(condition);

    /// <summary>Writes the bin of every feature some split uses (the others are never read).</summary>
    public void Quantise(ReadOnlySpan<float> row, Span<ushort> bins)
    {
        var thresholds = _thresholds;
        var offsets = _offsets;
        foreach (var f in _usedFeatures)
        {
            var value = row[f];
            var lo = offsets[f];
            var length = offsets[f + 1] - lo;
            // Branch-free binary search for the number of thresholds ≤ value: the outcome of each step is
            // unpredictable, so a flag turned into a mask beats a jump (the JIT makes no conditional moves in loops).
            while (length > 1)
            {
                var half = length >> 1;
                lo += half & -AsInt(thresholds[lo + half - 1] <= value);
                length -= half;
            }
            var count = lo - offsets[f] + AsInt(thresholds[lo] <= value);
            // NaN takes bin 0.
            bins[f] = (ushort)((count + 1) & -AsInt(!float.IsNaN(value)));
        }
    }
}
