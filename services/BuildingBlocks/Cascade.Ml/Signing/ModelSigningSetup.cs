namespace Cascade.Ml.Signing;

/// <summary>
/// What each role makes of its <see cref="ModelSigningOptions"/> at start: a process that builds artifacts loads its
/// key, Serving loads the keys it trusts. Problems come back as messages naming the setting (the rules of
/// <c>AddValidatedOptions</c>), so a bad key stops the process before it serves anything.
/// </summary>
public static class ModelSigningSetup
{
    /// <summary>The key a process that builds artifacts (a training worker, <c>cascade models import</c>) signs with; null only where signatures are not required.</summary>
    public static (SigningKey? Key, IReadOnlyList<string> Errors) Signer(ModelSigningOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.PrivateKeyFile))
        {
            return options.RequireSignature
                ? (null, [$"{nameof(ModelSigningOptions.PrivateKeyFile)}: no key to sign artifacts with, and Serving loads only signed ones. Name an ECDSA P-256 private key (PEM, PKCS#8), or set {nameof(ModelSigningOptions.RequireSignature)}=false to build unsigned artifacts."])
                : (null, []);
        }
        try
        {
            return (SigningKey.Load(options.PrivateKeyFile), []);
        }
        catch (SigningKeyException ex)
        {
            return (null, [$"{nameof(ModelSigningOptions.PrivateKeyFile)}: {ex.Message}"]);
        }
    }

    /// <summary>What Serving accepts (<see cref="ArtifactTrust"/>); null when the options name keys that cannot be read.</summary>
    public static (ArtifactTrust? Trust, IReadOnlyList<string> Errors) Verifier(ModelSigningOptions options)
    {
        try
        {
            return (ArtifactTrust.From(options), []);
        }
        catch (SigningKeyException ex)
        {
            return (null, [$"{nameof(ModelSigningOptions.TrustedKeys)}: {ex.Message}"]);
        }
    }
}
