using Cascade.Ml.Artifacts;

namespace Cascade.Ml.Signing;

/// <summary>
/// What Serving accepts: artifacts whose manifest is signed by one of <see cref="Keys"/>, and, only while
/// <see cref="RequireSignature"/> is off, unsigned ones. Anything else is refused (<see cref="ArtifactRefusedException"/>).
/// </summary>
public sealed class ArtifactTrust(TrustedKeys keys, bool requireSignature = true)
{
    public TrustedKeys Keys { get; } = keys;

    public bool RequireSignature { get; } = requireSignature;

    /// <summary>The trust <paramref name="options"/> describe (<see cref="ModelSigningOptions.TrustedKeys"/>, <see cref="ModelSigningOptions.RequireSignature"/>).</summary>
    /// <exception cref="SigningKeyException">A trusted key cannot be read; or none is named while signatures are required (nothing could ever load).</exception>
    public static ArtifactTrust From(ModelSigningOptions options)
    {
        var keys = TrustedKeys.Load(options.TrustedKeyPaths());
        if (keys.Count == 0 && options.RequireSignature)
        {
            throw new SigningKeyException("no trusted key is named, and signatures are required: every model would be refused. Name the public key(s) the training workers sign with, or a directory of them.");
        }
        return new ArtifactTrust(keys, options.RequireSignature);
    }

    /// <summary>Returns <paramref name="status"/> when it is acceptable, and refuses it otherwise.</summary>
    /// <exception cref="ArtifactRefusedException">The signature is invalid, by a key not trusted, or missing while required.</exception>
    public SignatureStatus Enforce(SignatureStatus status) => status.State switch
    {
        SignatureState.Trusted => status,
        SignatureState.Unsigned when !RequireSignature => status,
        SignatureState.Unsigned => throw new ArtifactRefusedException(ArtifactRefusal.Unsigned, $"Refused: the artifact is unsigned ({status.Detail}) and only signed models are served."),
        SignatureState.Untrusted => throw new ArtifactRefusedException(ArtifactRefusal.UntrustedKey, $"Refused: {status.Describe()} ({status.Detail})."),
        _ => throw new ArtifactRefusedException(ArtifactRefusal.InvalidSignature, $"Refused: {status.Describe()}."),
    };
}
