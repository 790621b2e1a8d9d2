namespace Cascade.Ml.Artifacts;

/// <summary>Why an artifact was refused rather than merely failing to load.</summary>
public enum ArtifactRefusal
{
    /// <summary>No signature, where one is required.</summary>
    Unsigned,

    /// <summary>A signature that does not verify or cannot be read: the manifest was altered after signing, or the signature forged.</summary>
    InvalidSignature,

    /// <summary>A valid-looking signature by a key that is not trusted.</summary>
    UntrustedKey,

    /// <summary>A file missing, or not the one the manifest hashes.</summary>
    Tampered,
}

/// <summary>
/// The artifact is not what a trusted signer made: unsigned where a signature is required, signed by a key not trusted,
/// a signature that does not verify, or files that differ from the (signed) manifest. Serving audits these and raises a
/// critical alert; they are never retried into success.
/// </summary>
public sealed class ArtifactRefusedException(ArtifactRefusal refusal, string message) : ArtifactException(message)
{
    public ArtifactRefusal Refusal { get; } = refusal;
}
