using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Cascade.Hosting.Tls;

/// <summary>A certificate with its private key and the intermediates to send with it, read from PEM text.</summary>
public sealed class PemCertificate
{
    private PemCertificate(X509Certificate2 certificate, X509Certificate2Collection intermediates)
    {
        Certificate = certificate;
        Intermediates = intermediates;
    }

    /// <summary>The first certificate of the file, with its key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificates after the first (the chain up to, not including, the root).</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>
    /// Parses a certificate file's and a key file's contents.
    /// </summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">Either is not PEM of its kind, the key is encrypted and the password wrong, or the key is not the certificate's.</exception>
    public static PemCertificate Parse(string certificatePem, string keyPem, string? password)
    {
        // CreateFromPem takes the first certificate and refuses a key that is not its own, so a certificate replaced
        // before its key never pairs with the old key.
        var certificate = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPem(certificatePem, keyPem)
            : X509Certificate2.CreateFromEncryptedPem(certificatePem, keyPem, password);
        var all = new X509Certificate2Collection();
        all.ImportFromPem(certificatePem);
        return new PemCertificate(certificate, new X509Certificate2Collection(all.Skip(1).ToArray()));
    }

    /// <summary>Reads and parses a certificate file and its key file.</summary>
    public static PemCertificate Load(string certificateFile, string keyFile, string? password) =>
        Parse(File.ReadAllText(certificateFile), File.ReadAllText(keyFile), password);

    /// <summary>What a TLS server hands every handshake: built once, since building it resolves the chain.</summary>
    public SslStreamCertificateContext ServerContext() => SslStreamCertificateContext.Create(Certificate, Intermediates, offline: true);

    public override string ToString() => $"{Certificate.Subject} (SHA-256 {Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)[..16]}…, valid until {Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm}Z)";
}
