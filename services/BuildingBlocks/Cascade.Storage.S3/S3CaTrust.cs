using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;

namespace Cascade.Storage.S3;

/// <summary>
/// The SDK's HTTP client for an object store whose certificate a private CA signs: the server's chain must end at that
/// CA (not at one of the system's roots), and its name must match as usual.
/// </summary>
internal sealed class S3CaTrust : HttpClientFactory
{
    private readonly X509Certificate2Collection _roots = new();

    /// <exception cref="System.Security.Cryptography.CryptographicException">The file holds no certificate.</exception>
    public S3CaTrust(string caFile)
    {
        _roots.ImportFromPemFile(caFile);
        if (_roots.Count == 0) throw new System.Security.Cryptography.CryptographicException($"Cascade:Infrastructure:S3:CaFile '{caFile}' holds no PEM certificate.");
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        return new HttpClient(handler) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };
    }

    // One client for the store's lifetime, as the SDK does with its own.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    // The SDK's cache of HTTP clients is process-wide and keyed by this string: it must name the trust (and what else
    // the client is made with), or a store for another object store with another CA would get this one's client.
    public override string GetConfigUniqueString(IClientConfig clientConfig) =>
        $"cascade-s3-ca:{string.Join(',', _roots.Select(r => r.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)))}:{clientConfig.Timeout?.Ticks}";
}
