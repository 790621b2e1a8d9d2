using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Hosting.Tls;

/// <summary>
/// The client side of <see cref="TlsOptions"/>, for every gRPC call one Cascade process (or the CLI) makes to another:
/// the CA that signs the servers' certificates (<see cref="TlsOptions.CaFile"/>) and the certificate to present when a
/// server asks (<see cref="TlsOptions.ClientCertificateFile"/>), both read again when their files change. On
/// <c>http://</c> addresses none of it applies.
/// </summary>
public static class ClientTls
{
    /// <summary>
    /// An HTTP/2 handler for gRPC: several connections once one has 100 streams, keep-alive pings to find dead peers,
    /// and TLS as <paramref name="options"/> say.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(TlsOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        if (!string.IsNullOrEmpty(options.CaFile))
        {
            var authority = new ReloadingFiles<CertificateAuthority>($"{TlsOptions.SectionName}:CaFile", [options.CaFile], files => CertificateAuthority.Parse(files[0]), options.ReloadInterval);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                authority.Current.Accepts(certificate, chain, errors, CertificateAuthority.ServerAuthentication);
        }
        if (!string.IsNullOrEmpty(options.ClientCertificateFile))
        {
            var certificate = new ReloadingFiles<PemCertificate>($"{TlsOptions.SectionName}:ClientCertificateFile", [options.ClientCertificateFile, options.ClientKeyFile],
                files => PemCertificate.Parse(files[0], files[1], options.ClientKeyPassword), options.ReloadInterval);
            // Chosen per connection, so a renewed certificate is presented from the next connection on.
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate.Current.Certificate;
        }
        return handler;
    }

    /// <summary>A channel to <paramref name="address"/> (http:// or https://) with TLS as <paramref name="options"/> say.</summary>
    public static GrpcChannel Channel(string address, TlsOptions options, GrpcChannelOptions? channel = null)
    {
        channel ??= new GrpcChannelOptions();
        channel.HttpHandler = CreateHandler(options);
        channel.DisposeHttpClient = true;
        return GrpcChannel.ForAddress(address, channel);
    }

    /// <summary>
    /// Makes the gRPC client of <paramref name="builder"/> (<c>AddGrpcClient</c>) connect with TLS as <paramref name="options"/> say.
    /// </summary>
    public static IHttpClientBuilder UseCascadeTls(this IHttpClientBuilder builder, TlsOptions options) =>
        builder.ConfigurePrimaryHttpMessageHandler(() => CreateHandler(options));
}
