using System.ComponentModel.DataAnnotations;

namespace Cascade.Hosting.Tls;

/// <summary>
/// TLS of a Cascade process (section <c>Cascade:Tls</c>): the certificate both of its ports serve, whether callers must
/// present a certificate of their own (mutual TLS), and how it calls other services. Every file is PEM and is read
/// again when it changes (a renewed certificate, a rotated Kubernetes Secret) without a restart.
/// </summary>
/// <remarks>
/// All paths are checked when the host is built: a file that is missing, unreadable or not what its setting says stops
/// the process with a message naming the setting. Passwords here are secrets: they are never logged.
/// </remarks>
public sealed class TlsOptions
{
    public const string SectionName = "Cascade:Tls";

    /// <summary>
    /// The certificate both ports serve (PEM: the server certificate first, then any intermediates to send with it).
    /// With it the gRPC port speaks HTTP/2 over TLS and the HTTP port HTTP/1.1 and HTTP/2 over TLS (ALPN chooses).
    /// </summary>
    /// <value>The default value is empty: both ports are cleartext (gRPC as h2c).</value>
    public string CertificateFile { get; set; } = string.Empty;

    /// <summary>The private key of <see cref="CertificateFile"/> (PEM: PKCS#8, PKCS#1 or SEC1; encrypted PKCS#8 with <see cref="KeyPassword"/>).</summary>
    /// <value>The default value is empty.</value>
    public string KeyFile { get; set; } = string.Empty;

    /// <summary>The password of an encrypted <see cref="KeyFile"/>. A secret: never logged.</summary>
    /// <value>The default value is empty (the key is not encrypted).</value>
    public string KeyPassword { get; set; } = string.Empty;

    /// <summary>
    /// Whether callers of the gRPC port, where services call each other, must present a certificate signed by
    /// <see cref="ClientCaFile"/> (mutual TLS).
    /// </summary>
    /// <value>The default value is <see cref="TlsClientCertificateMode.None"/>.</value>
    public TlsClientCertificateMode ClientCertificateMode { get; set; } = TlsClientCertificateMode.None;

    /// <summary>
    /// The same for the HTTP port. Its callers are mostly probes (the kubelet), scrapers and browsers, which have no
    /// client certificate, so it is separate; its APIs (REST, gRPC-Web) are guarded by authentication either way.
    /// </summary>
    /// <value>The default value is <see cref="TlsClientCertificateMode.None"/>.</value>
    public TlsClientCertificateMode HttpClientCertificateMode { get; set; } = TlsClientCertificateMode.None;

    /// <summary>The CA certificates (PEM bundle) that sign the client certificates this process accepts.</summary>
    /// <value>The default value is empty; required when either client certificate mode is not <c>None</c>.</value>
    public string ClientCaFile { get; set; } = string.Empty;

    /// <summary>
    /// How often the files are compared with what was loaded (at a new connection, never more often than this); zero
    /// compares them at every new connection. A change that does not load (a certificate whose key is not there yet)
    /// is logged once and the previous certificate keeps serving until the files are whole.
    /// </summary>
    /// <value>The default value is 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The CA certificates (PEM bundle) this process trusts when it calls other services over <c>https://</c>
    /// (<c>Cascade:Services:…</c>); the server's name must match its certificate as usual.
    /// </summary>
    /// <value>The default value is empty: the system's trusted roots.</value>
    public string CaFile { get; set; } = string.Empty;

    /// <summary>The certificate this process presents when it calls a service that asks for one (PEM; may be the same file as <see cref="CertificateFile"/> when that certificate allows client authentication).</summary>
    /// <value>The default value is empty: none is presented.</value>
    public string ClientCertificateFile { get; set; } = string.Empty;

    /// <summary>The private key of <see cref="ClientCertificateFile"/>.</summary>
    /// <value>The default value is empty.</value>
    public string ClientKeyFile { get; set; } = string.Empty;

    /// <summary>The password of an encrypted <see cref="ClientKeyFile"/>. A secret: never logged.</summary>
    /// <value>The default value is empty.</value>
    public string ClientKeyPassword { get; set; } = string.Empty;

    /// <summary>Whether the ports serve TLS.</summary>
    public bool Enabled => !string.IsNullOrEmpty(CertificateFile) || !string.IsNullOrEmpty(KeyFile);

    /// <summary>Whether either port asks for client certificates.</summary>
    public bool MutualTls => ClientCertificateMode != TlsClientCertificateMode.None || HttpClientCertificateMode != TlsClientCertificateMode.None;
}
