using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Cascade.Hosting.Tls;

/// <summary>
/// The server side of <see cref="TlsOptions"/>: the certificate (and, for mutual TLS, the client CA) each new
/// connection is handshaken with, reloaded when their files change. Connections already open keep what they began with.
/// </summary>
public sealed class ServerTls
{
    private readonly TlsOptions _options;
    private readonly ReloadingFiles<ServedCertificate> _certificate;
    private readonly ReloadingFiles<CertificateAuthority>? _clientCa;

    private ServerTls(TlsOptions options, TimeProvider? time)
    {
        _options = options;
        _certificate = new ReloadingFiles<ServedCertificate>($"{TlsOptions.SectionName}:CertificateFile", [options.CertificateFile, options.KeyFile],
            files => new ServedCertificate(PemCertificate.Parse(files[0], files[1], options.KeyPassword)), options.ReloadInterval, time);
        if (options.MutualTls)
        {
            _clientCa = new ReloadingFiles<CertificateAuthority>($"{TlsOptions.SectionName}:ClientCaFile", [options.ClientCaFile],
                files => CertificateAuthority.Parse(files[0]), options.ReloadInterval, time);
        }
    }

    /// <summary>
    /// The server side of <paramref name="options"/>, its files loaded now; null when TLS is off.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is wrong or a file does not load; each message names its setting.</exception>
    public static ServerTls? Create(TlsOptions options, TimeProvider? time = null)
    {
        TlsSettings.ThrowIfInvalid(options);
        return options.Enabled ? new ServerTls(options, time) : null;
    }

    /// <summary>The certificate new connections get now.</summary>
    public PemCertificate Certificate => _certificate.Current.Certificate;

    /// <summary>Reports loads, failed reloads and a certificate close to its end to <paramref name="logger"/>.</summary>
    public void UseLogger(ILogger logger)
    {
        _certificate.Logger = logger;
        if (_clientCa is not null) _clientCa.Logger = logger;
        var served = _certificate.Current.Certificate;
        TlsLog.Serving(logger, served, _options.ClientCertificateMode, _options.HttpClientCertificateMode);
        var left = served.Certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow;
        if (left < TimeSpan.FromDays(14)) TlsLog.ExpiresSoon(logger, served, left.TotalDays);
    }

    /// <summary>
    /// Makes <paramref name="listen"/> a TLS endpoint that asks callers for certificates as <paramref name="mode"/> says
    /// (ALPN offers what its protocols allow).
    /// </summary>
    public void Apply(ListenOptions listen, TlsClientCertificateMode mode) =>
        listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(Authentication(mode)) });

    /// <summary>One connection's handshake settings (Kestrel adds ALPN to them).</summary>
    internal SslServerAuthenticationOptions Authentication(TlsClientCertificateMode mode)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificate.Current.Context,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (mode != TlsClientCertificateMode.None && _clientCa is { } clientCa)
        {
            var authority = clientCa.Current;
            // Asked for in both modes; Allow lets a caller without one through, never one with a certificate that fails.
            options.ClientCertificateRequired = true;
            options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => certificate is null
                ? mode == TlsClientCertificateMode.Allow
                : authority.Accepts(certificate, chain, errors, CertificateAuthority.ClientAuthentication);
        }
        return options;
    }

    /// <summary>A loaded certificate and its handshake context, built once per load (building it resolves the chain).</summary>
    private sealed class ServedCertificate(PemCertificate certificate)
    {
        public PemCertificate Certificate { get; } = certificate;

        public SslStreamCertificateContext Context { get; } = certificate.ServerContext();

        public override string ToString() => Certificate.ToString();
    }
}
