using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cascade.Ml.Artifacts;

namespace Cascade.Ml.Signing;

/// <summary>
/// Signs an artifact's manifest and checks the signature: ECDSA P-256 over the SHA-256 of <c>manifest.json</c>'s exact
/// bytes, kept beside it as <c>manifest.sig</c> (<see cref="ManifestSignature"/>). Signing the bytes as stored, rather
/// than a re-serialization, leaves nothing to canonicalize, and lets an operator check an artifact by hand:
/// <c>openssl dgst -sha256 -verify model-signing.pub -signature &lt;(jq -r .signature manifest.sig | base64 -d) manifest.json</c>.
/// </summary>
public static class ManifestSigning
{
    /// <summary>A signature document is a few hundred bytes; anything much larger is not one, and is not read.</summary>
    private const int MaxSignatureBytes = 64 * 1024;

    /// <summary>Signs <paramref name="manifest"/> (the bytes of <c>manifest.json</c>) with <paramref name="key"/>.</summary>
    public static ManifestSignature Sign(byte[] manifest, SigningKey key) => new()
    {
        Algorithm = ManifestSignature.EcdsaP256Sha256,
        KeyId = key.KeyId,
        PublicKey = Convert.ToBase64String(key.PublicKey),
        Signature = Convert.ToBase64String(key.Sign(manifest)),
    };

    /// <summary>
    /// Written with base64's <c>+</c> as itself rather than the default <c>\u002B</c>, so the line-oriented tools of the
    /// docs (sed, base64 -d) read the signature as well as JSON parsers do; nothing in the file is ever embedded in HTML.
    /// </summary>
    private static readonly JsonSerializerOptions SignatureJson = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The bytes of <c>manifest.sig</c> for <paramref name="signature"/>.</summary>
    public static byte[] Serialize(ManifestSignature signature) => JsonSerializer.SerializeToUtf8Bytes(signature, SignatureJson);

    /// <summary>
    /// Signs the manifest of the artifact in <paramref name="directory"/> as it is, writing (or replacing) its
    /// <c>manifest.sig</c>. For artifacts built before signing existed, or by a tool that does not sign.
    /// </summary>
    /// <exception cref="ArtifactException">The directory has no manifest.</exception>
    public static ManifestSignature SignDirectory(string directory, SigningKey key)
    {
        var manifestPath = Path.Combine(directory, ArtifactFiles.Manifest);
        if (!File.Exists(manifestPath))
        {
            throw new ArtifactException($"'{directory}' is not a model artifact: {ArtifactFiles.Manifest} is missing.");
        }
        var signature = Sign(File.ReadAllBytes(manifestPath), key);
        var path = Path.Combine(directory, ArtifactFiles.Signature);
        File.WriteAllBytes(path + ".partial", Serialize(signature));
        File.Move(path + ".partial", path, overwrite: true);
        return signature;
    }

    /// <summary>Checks the signature of the artifact in <paramref name="directory"/>; see <see cref="Check(byte[], byte[], TrustedKeys)"/>.</summary>
    /// <exception cref="ArtifactException">The directory has no manifest.</exception>
    public static SignatureStatus Check(string directory, TrustedKeys? trusted)
    {
        var manifestPath = Path.Combine(directory, ArtifactFiles.Manifest);
        if (!File.Exists(manifestPath))
        {
            throw new ArtifactException($"'{directory}' is not a model artifact: {ArtifactFiles.Manifest} is missing.");
        }
        return Check(File.ReadAllBytes(manifestPath), ReadSignatureFile(directory), trusted);
    }

    /// <summary>The bytes of <c>manifest.sig</c> in <paramref name="directory"/>, or null when there is none.</summary>
    internal static byte[]? ReadSignatureFile(string directory)
    {
        var path = Path.Combine(directory, ArtifactFiles.Signature);
        if (!File.Exists(path)) return null;
        // A file too large to be a signature is read only far enough to be refused.
        using var file = File.OpenRead(path);
        var buffer = new byte[Math.Min(file.Length, MaxSignatureBytes + 1)];
        file.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>
    /// Checks <paramref name="signatureFile"/> (null: none) against <paramref name="manifest"/>. With
    /// <paramref name="trusted"/> keys, the signature must name one of them and verify with it (the key the signature
    /// carries is never trusted for itself); without (offline commands), it is verified with the key it carries.
    /// </summary>
    public static SignatureStatus Check(byte[] manifest, byte[]? signatureFile, TrustedKeys? trusted)
    {
        if (signatureFile is null)
        {
            return new SignatureStatus(SignatureState.Unsigned, null, $"no {ArtifactFiles.Signature}");
        }
        if (signatureFile.Length > MaxSignatureBytes)
        {
            return Invalid(null, $"{ArtifactFiles.Signature} is over {MaxSignatureBytes} bytes, far more than a signature");
        }
        ManifestSignature? document;
        try
        {
            document = JsonSerializer.Deserialize<ManifestSignature>(signatureFile, ArtifactFiles.Json);
        }
        catch (JsonException ex)
        {
            return Invalid(null, $"{ArtifactFiles.Signature} is not a signature document: {ex.Message}");
        }
        if (document is null)
        {
            return Invalid(null, $"{ArtifactFiles.Signature} is empty");
        }
        if (document.Algorithm != ManifestSignature.EcdsaP256Sha256)
        {
            return Invalid(document.KeyId, $"algorithm '{document.Algorithm}' is not supported (this build verifies {ManifestSignature.EcdsaP256Sha256})");
        }
        byte[] carried, signature;
        try
        {
            carried = Convert.FromBase64String(document.PublicKey);
            signature = Convert.FromBase64String(document.Signature);
        }
        catch (FormatException)
        {
            return Invalid(document.KeyId, $"{ArtifactFiles.Signature} holds a public key or signature that is not base64");
        }
        if (KeyIds.Of(carried) != document.KeyId)
        {
            return Invalid(document.KeyId, $"the signature names key {document.KeyId} but carries key {KeyIds.Of(carried)}");
        }
        if (trusted is not null)
        {
            if (trusted.Find(document.KeyId) is not { } trustedKey)
            {
                return new SignatureStatus(SignatureState.Untrusted, document.KeyId, $"key {document.KeyId} is not among the {trusted.Count} trusted key(s)");
            }
            return Verifies(trustedKey, manifest, signature)
                ? new SignatureStatus(SignatureState.Trusted, document.KeyId, "verified with a trusted key")
                : Invalid(document.KeyId, $"the signature by key {document.KeyId} does not verify: {ArtifactFiles.Manifest} was altered after it was signed");
        }
        return Verifies(carried, manifest, signature)
            ? new SignatureStatus(SignatureState.Verified, document.KeyId, "verified with the key it carries")
            : Invalid(document.KeyId, $"the signature by key {document.KeyId} does not verify: {ArtifactFiles.Manifest} was altered after it was signed");
    }

    private static SignatureStatus Invalid(string? keyId, string detail) => new(SignatureState.Invalid, keyId, detail);

    private static bool Verifies(byte[] publicKey, byte[] manifest, byte[] signature)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(publicKey, out _);
            SigningKey.RequireP256(key, "the signing key");
            return key.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception ex) when (ex is CryptographicException or SigningKeyException)
        {
            return false;
        }
    }
}
