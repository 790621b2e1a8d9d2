namespace Cascade.Ml.Signing;

/// <summary>What is known of an artifact's signature.</summary>
public enum SignatureState
{
    /// <summary>The artifact has no <c>manifest.sig</c>.</summary>
    Unsigned,

    /// <summary>The signature does not verify, is unreadable, or names a key other than the one it carries.</summary>
    Invalid,

    /// <summary>The signature verifies with the key it carries; no trusted keys were given to check that key against (offline commands).</summary>
    Verified,

    /// <summary>The signature names a key that is not trusted.</summary>
    Untrusted,

    /// <summary>The signature verifies with a trusted key.</summary>
    Trusted,
}

/// <summary>The outcome of checking an artifact's signature: its state, the key it names (when readable), and why.</summary>
public sealed record SignatureStatus(SignatureState State, string? KeyId, string Detail)
{
    /// <summary>One line for people: what <c>cascade predict</c> prints, and the reason of a refusal.</summary>
    public string Describe() => State switch
    {
        SignatureState.Unsigned => "unsigned (the artifact has no manifest.sig)",
        SignatureState.Invalid => $"invalid signature: {Detail}",
        SignatureState.Verified => $"signed by key {KeyId} (the signature verifies; whether the key is trusted is not checked here)",
        SignatureState.Untrusted => $"signed by key {KeyId}, which is not a trusted key",
        SignatureState.Trusted => $"signed by trusted key {KeyId}",
        _ => State.ToString(),
    };
}
