using Cascade.Ml.Signing;

namespace Cascade.Training.Scoring;

/// <summary>
/// Which artifact signatures a batch-scoring worker accepts: the keys the options name as trusted (as Serving is
/// configured), and otherwise the worker's own signing key, since the versions it scores are those the pools signed.
/// Only where signatures are not required and no key is named at all does it score unsigned artifacts.
/// </summary>
public static class ScoringTrust
{
    public static (ArtifactTrust? Trust, IReadOnlyList<string> Errors) For(ModelSigningOptions options, SigningKey? signingKey)
    {
        if (options.TrustedKeyPaths().Any()) return ModelSigningSetup.Verifier(options);
        if (signingKey is not null) return (new ArtifactTrust(TrustedKeys.Of(signingKey.PublicKey), options.RequireSignature), []);
        // Signatures required and no key at all: ModelSigningSetup.Signer already refuses these options.
        return options.RequireSignature ? (null, []) : (new ArtifactTrust(TrustedKeys.Of(), requireSignature: false), []);
    }
}
