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

    public string AccessKey { get; set; } = "S3RVER";

    public string SecretKey { get; set; } = "S3RVER";

    /// <summary>Artifacts larger than this go up in parts of this size (S3 requires at least 5 MiB per part but the last).</summary>
    /// <value>The default value is 8 MiB.</value>
    [Range(5 * 1024 * 1024, int.MaxValue)]
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;
}
