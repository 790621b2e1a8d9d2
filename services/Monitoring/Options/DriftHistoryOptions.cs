using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>How much drift history Monitoring keeps (section <c>Cascade:Monitoring:History</c>).</summary>
public sealed class DriftHistoryOptions
{
    /// <summary>
    /// Evaluated windows kept per model version, the latest; older ones are deleted as new ones are stored. Each window
    /// stores one row per feature plus one for the prediction.
    /// </summary>
    /// <value>The default value is 5,000 (500,000 predictions at the default stride of 100).</value>
    [Range(1, 1_000_000)]
    public int WindowsPerVersion { get; set; } = 5_000;

    /// <summary>Versions of a model whose history is kept, the highest numbers; older versions' history is deleted.</summary>
    /// <value>The default value is 20.</value>
    [Range(1, 10_000)]
    public int VersionsPerModel { get; set; } = 20;
}
