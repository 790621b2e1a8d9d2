using System.ComponentModel.DataAnnotations;

namespace Cascade.Registry.Options;

/// <summary>Limits on artifact archives uploaded through <c>UploadArtifact</c> (imported models).</summary>
public sealed class ArtifactUploadOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Cascade:Registry:Upload";

    /// <summary>The largest archive accepted, in bytes; a larger upload is refused with RESOURCE_EXHAUSTED before it is stored.</summary>
    /// <value>The default value is 256 MiB: room for large tree ensembles and small neural networks, not for anything the store would choke on.</value>
    [Range(typeof(long), "1024", "17179869184")]
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;
}
