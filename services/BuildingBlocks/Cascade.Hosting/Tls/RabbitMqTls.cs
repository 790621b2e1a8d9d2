using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Cascade.Hosting.Tls;

/// <summary>
/// The TLS pieces of <see cref="RabbitMqOptions"/> in the platform's own types, for whichever client connects
/// (MassTransit's <c>UseSsl</c> takes both): how the broker's certificate is checked and what certificate to present.
/// </summary>
public static class RabbitMqTls
{
    /// <summary>Checks the broker's certificate against <see cref="RabbitMqOptions.CaFile"/>; null (the system's roots) without one.</summary>
    public static RemoteCertificateValidationCallback? ServerCertificateValidation(RabbitMqOptions options)
    {
        if (string.IsNullOrEmpty(options.CaFile)) return null;
        var authority = CertificateAuthority.Load(options.CaFile);
        return (_, certificate, chain, errors) => authority.Accepts(certificate, chain, errors, CertificateAuthority.ServerAuthentication);
    }

    /// <summary>The certificate to present, if <see cref="RabbitMqOptions.ClientCertificateFile"/> names one.</summary>
    public static X509Certificate2? ClientCertificate(RabbitMqOptions options) =>
        string.IsNullOrEmpty(options.ClientCertificateFile) ? null : PemCertificate.Load(options.ClientCertificateFile, options.ClientKeyFile, password: null).Certificate;
}
