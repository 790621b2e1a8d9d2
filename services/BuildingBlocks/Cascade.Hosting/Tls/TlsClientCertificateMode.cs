namespace Cascade.Hosting.Tls;

/// <summary>Whether a TLS port asks its callers for a certificate (<see cref="TlsOptions.ClientCertificateMode"/>).</summary>
public enum TlsClientCertificateMode
{
    /// <summary>No certificate is asked for: any caller that trusts the server may connect.</summary>
    None,

    /// <summary>A certificate is asked for but not required; one that is presented must be signed by <see cref="TlsOptions.ClientCaFile"/>.</summary>
    Allow,

    /// <summary>Mutual TLS: a caller without a certificate signed by <see cref="TlsOptions.ClientCaFile"/> cannot connect.</summary>
    Require,
}
