using System.Text.Json.Serialization;

namespace Cascade.Ml.Signing;

/// <summary>
/// <c>manifest.sig</c>: the detached signature of an artifact's <c>manifest.json</c>, byte for byte as stored. The
/// manifest holds the SHA-256 of every other file, so this one signature covers the whole artifact.
/// </summary>
public sealed record ManifestSignature
{
    /// <summary>The only algorithm today: ECDSA on P-256 over the SHA-256 of the manifest's bytes, signature as DER.</summary>
    public const string EcdsaP256Sha256 = "ecdsa-p256-sha256";

    [JsonPropertyName("algorithm")] public required string Algorithm { get; init; }

    /// <summary>SHA-256 of the signer's public key (SubjectPublicKeyInfo, DER), lower-case hex: what Serving looks its trusted keys up by.</summary>
    [JsonPropertyName("key_id")] public required string KeyId { get; init; }

    /// <summary>
    /// The signer's public key (SubjectPublicKeyInfo, DER, base64), so that an offline reader can tell a signature that
    /// verifies from one that does not. Serving never trusts it: it verifies with its own copy of the key of that id.
    /// </summary>
    [JsonPropertyName("public_key")] public required string PublicKey { get; init; }

    /// <summary>The signature (DER sequence of r and s, base64).</summary>
    [JsonPropertyName("signature")] public required string Signature { get; init; }
}
