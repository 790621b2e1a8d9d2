using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>ADWIN change detector settings (Bifet &amp; Gavaldà 2007); the defaults are those of MOA and river.</summary>
public sealed class AdwinOptions
{
    /// <summary>Confidence δ: the probability of a false cut per check is bounded by about δ. Smaller is more conservative.</summary>
    /// <value>The default value is 0.002.</value>
    [Range(1e-12, 0.5)]
    public double Delta { get; set; } = 0.002;

    /// <summary>Cuts are searched every this many updates, which amortises the O(log W) scan over the buckets.</summary>
    /// <value>The default value is 32.</value>
    [Range(1, 1_000_000)]
    public int Clock { get; set; } = 32;

    /// <summary>Buckets of each size kept before the two oldest merge (M); more buckets, finer cut points, more memory.</summary>
    /// <value>The default value is 5.</value>
    [Range(2, 1_000)]
    public int MaxBucketsPerRow { get; set; } = 5;

    /// <summary>Each side of a cut must hold at least this many values.</summary>
    /// <value>The default value is 5.</value>
    [Range(1, 1_000_000)]
    public int MinSubwindowLength { get; set; } = 5;

    /// <summary>No cut is searched before the window holds this many values.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 1_000_000)]
    public int GracePeriod { get; set; } = 10;
}
