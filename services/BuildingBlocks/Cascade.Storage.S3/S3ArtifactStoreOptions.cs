using System.ComponentModel.DataAnnotations;

namespace Cascade.Storage.S3;

/// <summary>Where the S3 artifact store keeps artifacts. The defaults fit the local s3rver of <c>infra/</c>.</summary>
public sealed class S3ArtifactStoreOptions
{
    public const string SectionName = "Cascade:S3";

    /// <summary>The endpoint; empty for AWS itself (then <see cref="Region"/> decides).</summary>
    public string ServiceUrl { get; set; } = "http://127.0.0.1:9000";

    public string Region { get; set; } = "us-east-1";

    [Required]
    public string Bucket { get; set; } = "cascade-artifacts";

    /// <summary>Key prefix of every artifact: <c>{prefix}/ab/abcdef…</c>.</summary>
    public string Prefix { get; set; } = "sha256";

    /// <summary>The access key id.</summary>
    public string AccessKey { get; set; } = "S3RVER";

    /// <summary>The secret access key. A secret: never logged; give it from a Secret, not a ConfigMap.</summary>
    public string SecretKey { get; set; } = "S3RVER";

    /// <summary>
    /// The CA certificate (PEM) that signs an <c>https://</c> <see cref="ServiceUrl"/>'s certificate (a MinIO or Ceph with
    /// a private CA); empty for the system's roots. The host name is still checked.
    /// </summary>
    public string CaFile { get; set; } = string.Empty;

    /// <summary>Artifacts larger than this go up in parts of this size (S3 requires at least 5 MiB per part but the last).</summary>
    /// <value>The default value is 8 MiB.</value>
    [Range(5 * 1024 * 1024, int.MaxValue)]
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;
}
