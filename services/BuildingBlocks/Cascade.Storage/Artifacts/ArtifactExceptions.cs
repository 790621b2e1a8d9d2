namespace Cascade.Storage.Artifacts;

/// <summary>No artifact with the requested SHA-256 exists in the store.</summary>
public sealed class ArtifactNotFoundException(string sha256)
    : Exception($"No artifact with SHA-256 {sha256} is stored; check the model version's artifact hash in the registry.")
{
    public string Sha256 { get; } = sha256;
}

/// <summary>The stored bytes of an artifact no longer match its SHA-256: the artifact was altered or truncated.</summary>
public sealed class ArtifactCorruptedException(string sha256, string actual)
    : Exception($"Artifact {sha256} is corrupted: its stored bytes hash to {actual}. Re-register the model version from its training job.")
{
    public string Sha256 { get; } = sha256;
}
