using System.Net;
using Cascade.Hosting.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Tls;

/// <summary>The two ports every Cascade process listens on, cleartext or TLS as <see cref="TlsOptions"/> say.</summary>
public static class CascadeEndpoints
{
    /// <summary>
    /// Makes Kestrel listen on the gRPC port (HTTP/2 only) and the HTTP port: cleartext (h2c, HTTP/1.1) by default, TLS
    /// on both (HTTP/2 with ALPN; HTTP/1.1 and HTTP/2) when <c>Cascade:Tls:CertificateFile</c> is set. The TLS settings
    /// are bound from the host's configuration over <paramref name="options"/> and checked, and the certificates
    /// loaded, now: a wrong setting or a file that does not load stops the build, naming the setting.
    /// </summary>
    /// <exception cref="OptionsValidationException">A TLS setting is wrong or a file does not load.</exception>
    public static WebApplicationBuilder ListenCascadeEndpoints(this WebApplicationBuilder builder, ServiceHostOptions options)
    {
        // The all-in-one host builds its ServiceHostOptions in code; its TLS settings come from the environment and the
        // command line like every module's (a service process read them already: binding them again changes nothing).
        try
        {
            builder.Configuration.GetSection(TlsOptions.SectionName).Bind(options.Tls);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(TlsOptions.SectionName, typeof(TlsOptions), [ex.Message + (ex.InnerException is { } inner ? " " + inner.Message : string.Empty)]);
        }
        var tls = ServerTls.Create(options.Tls);
        if (tls is not null) builder.Services.AddSingleton(tls);
        var address = IPAddress.Parse(options.BindAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            tls?.UseLogger(kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerTls)));
            kestrel.ListenGrpc(address, options.GrpcPort, listen => tls?.Apply(listen, options.Tls.ClientCertificateMode));
            kestrel.Listen(address, options.HttpPort, listen =>
            {
                // The HTTP endpoint serves browsers (gRPC-Web, REST), probes and scrapers. In cleartext only HTTP/1.1:
                // cleartext HTTP/2 needs prior knowledge they lack. Over TLS, ALPN lets each pick.
                listen.Protocols = tls is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                tls?.Apply(listen, options.Tls.HttpClientCertificateMode);
            });
        });
        return builder;
    }
}
