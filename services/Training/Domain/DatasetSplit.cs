namespace Cascade.Training.Domain;

/// <summary>Which part of the data a row belongs to.</summary>
public enum SplitPart
{
    Train,
    Validation,
    Holdout,
}

/// <summary>
/// A deterministic split by the row's source position (partition, offset): the same row always lands in the same
/// part, whatever else the training set holds, so a holdout is reproducible from the watermark alone.
/// </summary>
public static class DatasetSplit
{
    public static SplitPart Of(int partition, long offset, double validationFraction, double holdoutFraction, ulong seed = 0)
    {
        var u = Uniform(((ulong)(uint)partition << 48) ^ (ulong)offset ^ seed);
        return u < holdoutFraction ? SplitPart.Holdout : u < holdoutFraction + validationFraction ? SplitPart.Validation : SplitPart.Train;
    }

    /// <summary>SplitMix64 finalizer mapped to [0, 1).</summary>
    private static double Uniform(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (x >> 11) * (1.0 / (1UL << 53));
    }
}
