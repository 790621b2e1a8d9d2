using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cascade.Hosting.Tls;

/// <summary>
/// The CA certificates of a PEM bundle as the only roots a peer's certificate may chain to (instead of the system's),
/// with the bundle's other certificates as intermediates. Revocation is not checked: a private CA seldom publishes it.
/// </summary>
public sealed class CertificateAuthority
{
    /// <summary>The purpose a server certificate must allow (id-kp-serverAuth).</summary>
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>The purpose a client certificate must allow (id-kp-clientAuth).</summary>
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection _roots = new();
    private readonly X509Certificate2Collection _intermediates = new();

    private CertificateAuthority(X509Certificate2Collection bundle)
    {
        foreach (var certificate in bundle)
        {
            // Only a self-signed certificate can end a chain; an intermediate in the bundle helps build one.
            (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? _roots : _intermediates).Add(certificate);
        }
        if (_roots.Count == 0) throw new CryptographicException("the bundle holds no self-signed (root) CA certificate");
    }

    public override string ToString() => $"CA {string.Join(", ", _roots.Select(r => r.Subject))}" + (_intermediates.Count > 0 ? $" (+{_intermediates.Count} intermediate)" : string.Empty);

    /// <summary>Parses a PEM bundle.</summary>
    /// <exception cref="CryptographicException">It holds no certificate, or no root.</exception>
    public static CertificateAuthority Parse(string pem)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(pem);
        if (bundle.Count == 0) throw new CryptographicException("no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        return new CertificateAuthority(bundle);
    }

    /// <summary>Reads and parses a PEM bundle.</summary>
    public static CertificateAuthority Load(string file) => Parse(File.ReadAllText(file));

    /// <summary>A chain policy that trusts only these roots, for a certificate used for <paramref name="purpose"/>.</summary>
    public X509ChainPolicy Policy(Oid purpose)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            // A certificate without an extended key usage may serve any purpose; one that names others may not serve this one.
            ApplicationPolicy = { purpose },
        };
        policy.CustomTrustStore.AddRange(_roots);
        policy.ExtraStore.AddRange(_intermediates);
        return policy;
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to these roots for <paramref name="purpose"/>, and the platform
    /// found nothing else wrong (<paramref name="errors"/>: a name mismatch stays an error; the platform's own verdict on
    /// the chain, made against the system's roots, is replaced by this one).
    /// </summary>
    public bool Accepts(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, Oid purpose)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain { ChainPolicy = Policy(purpose) };
        // The intermediates the peer sent help build the chain; they are not trusted for it.
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
