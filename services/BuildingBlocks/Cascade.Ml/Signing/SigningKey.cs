using System.Security.Cryptography;

namespace Cascade.Ml.Signing;

/// <summary>
/// An ECDSA P-256 private key (.NET's own cryptography, OpenSSL underneath on Linux) that signs artifact manifests. Its
/// <see cref="KeyId"/> is the SHA-256 of its public key (SubjectPublicKeyInfo, DER): what a signature names and what
/// Serving looks its trusted keys up by.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly ECDsa _key;

    private SigningKey(ECDsa key)
    {
        _key = key;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = KeyIds.Of(PublicKey);
    }

    /// <summary>SHA-256 of <see cref="PublicKey"/>, lower-case hex.</summary>
    public string KeyId { get; }

    /// <summary>The public key as SubjectPublicKeyInfo (DER).</summary>
    public byte[] PublicKey { get; }

    /// <summary>The public key as PEM (<c>-----BEGIN PUBLIC KEY-----</c>): the file Serving is told to trust.</summary>
    public string PublicKeyPem => PemEncoding.WriteString("PUBLIC KEY", PublicKey) + "\n";

    /// <summary>A new random key.</summary>
    public static SigningKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a PEM private key (PKCS#8 <c>PRIVATE KEY</c>, as <c>openssl genpkey</c> writes it, or SEC 1 <c>EC PRIVATE KEY</c>).</summary>
    /// <exception cref="SigningKeyException">The file is missing or unreadable, holds no private key, an encrypted one, or one that is not ECDSA P-256.</exception>
    public static SigningKey Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SigningKeyException($"cannot read the signing key '{path}': {ex.Message}");
        }
        var label = PemLabels(text).FirstOrDefault(l => l.EndsWith("PRIVATE KEY", StringComparison.Ordinal));
        if (label is null)
        {
            throw new SigningKeyException($"'{path}' holds no PEM private key (-----BEGIN PRIVATE KEY-----): make one with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out {Path.GetFileName(path)}`.");
        }
        if (label == "ENCRYPTED PRIVATE KEY")
        {
            // A process starts unattended: there is no one to type the passphrase. Protect the file (0600, a Secret) instead.
            throw new SigningKeyException($"'{path}' is an encrypted private key; Cascade reads unencrypted PKCS#8 keys (keep the file itself private: mode 0600, a Kubernetes Secret).");
        }
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(text);
            RequireP256(key, path);
            return new SigningKey(key);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new SigningKeyException($"'{path}' is not an ECDSA private key: {ex.Message}");
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the key as PKCS#8 PEM to <paramref name="path"/>, readable by its owner only (0600 from its creation, never
    /// wider for a moment); refuses to replace an existing file.
    /// </summary>
    /// <exception cref="IOException">The file exists (another process made it first), or cannot be written.</exception>
    public void Save(string path)
    {
        var pem = PemEncoding.WriteString("PRIVATE KEY", _key.ExportPkcs8PrivateKey()) + "\n";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new FileStream(path, options);
        using var writer = new StreamWriter(file);
        writer.Write(pem);
    }

    /// <summary>Signs <paramref name="data"/>: ECDSA over its SHA-256, as a DER sequence (what <c>openssl dgst -verify</c> reads).</summary>
    internal byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public void Dispose() => _key.Dispose();

    /// <summary>The curve every Cascade signing key is on: NIST P-256 (secp256r1, prime256v1).</summary>
    internal static void RequireP256(ECDsa key, string source)
    {
        var curve = key.ExportParameters(false).Curve;
        if (curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new SigningKeyException($"'{source}' is an ECDSA key on {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "an unnamed curve"}; model signing keys are P-256.");
        }
    }

    internal static IEnumerable<string> PemLabels(string text)
    {
        var rest = text.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            yield return rest[fields.Label].ToString();
            rest = rest[fields.Location.End..];
        }
    }
}

/// <summary>A signing or trusted key cannot be used; the message names the file and what is wrong.</summary>
public sealed class SigningKeyException(string message) : Exception(message);
