namespace Cascade.Storage.Artifacts;

/// <summary>A stored artifact, addressed by the SHA-256 of its bytes.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the content.</param>
/// <param name="Uri">Where the store keeps it (<c>file://…</c>, <c>s3://bucket/key</c>).</param>
/// <param name="SizeBytes">Content length in bytes.</param>
public sealed record ArtifactRef(string Sha256, string Uri, long SizeBytes);
