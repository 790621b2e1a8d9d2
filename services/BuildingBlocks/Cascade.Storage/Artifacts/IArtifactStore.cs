namespace Cascade.Storage.Artifacts;

/// <summary>Content-addressed blob store for model artifacts (a tar archive of the model directory).</summary>
public interface IArtifactStore
{
    /// <summary>Stores the content and returns its address; storing the same bytes twice is a no-op that returns the same address.</summary>
    Task<ArtifactRef> PutAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>Reads the artifact with this SHA-256 into memory, verifying the hash.</summary>
    /// <exception cref="ArtifactNotFoundException">No artifact has this hash.</exception>
    /// <exception cref="ArtifactCorruptedException">The stored bytes no longer hash to <paramref name="sha256"/>.</exception>
    Task<byte[]> GetAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>Whether an artifact with this hash is stored.</summary>
    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the artifact with this hash. Idempotent: deleting an artifact that is not stored succeeds, so a
    /// collector that crashed after deciding can simply delete again. Whoever calls it must know that no kept model
    /// version refers to the hash: artifacts are content-addressed, so two versions may share one.
    /// </summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken = default);
}
