using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Cascade.Contracts;
using Cascade.Hosting.Tls;
using Grpc.Health.V1;

namespace Cascade.Hosting.Tests.Tls;

/// <summary>
/// A certificate renewed in place (cert-manager, a rotated Secret, a copy by hand) reaches new connections without a
/// restart; a half-replaced pair (a certificate whose key is not there yet) never does.
/// </summary>
public sealed class CertificateReloadTests(TlsCertificates certificates) : IClassFixture<TlsCertificates>
{
    [Fact]
    public async Task New_connections_get_a_replaced_certificate_once_its_key_is_there_too()
    {
        var first = await certificates.ServerCa.IssueAsync("reload-first", "serverAuth");
        var second = await certificates.ServerCa.IssueAsync("reload-second", "serverAuth");
        var folder = Directory.CreateTempSubdirectory("cascade-tls-reload-").FullName;
        try
        {
            var served = new IssuedCertificate(Path.Combine(folder, "tls.crt"), Path.Combine(folder, "tls.key"));
            File.Copy(first.CertificateFile, served.CertificateFile);
            File.Copy(first.KeyFile, served.KeyFile);
            var log = new LogCapture();
            // Zero: the files are compared at every new connection, so each step below is seen by the next connection.
            await using var host = await TlsHost.StartAsync(new TlsOptions { CertificateFile = served.CertificateFile, KeyFile = served.KeyFile, ReloadInterval = TimeSpan.Zero }, log);
            (await ServedSubjectAsync(host)).Should().Be("CN=reload-first");

            File.Copy(second.CertificateFile, served.CertificateFile, overwrite: true);
            (await ServedSubjectAsync(host)).Should().Be("CN=reload-first", "the new certificate does not go with the old key");
            log.Text.Should().Contain("do not load").And.Contain("CN=reload-first");

            File.Copy(second.KeyFile, served.KeyFile, overwrite: true);
            (await ServedSubjectAsync(host)).Should().Be("CN=reload-second");
            log.Text.Should().Contain("loaded CN=reload-second");
            using var channel = ClientTls.Channel(host.Grpc, new TlsOptions { CaFile = certificates.ServerCa.CertificateFile });
            var reply = await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));
            reply.Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving, "gRPC works on the renewed certificate");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Within_the_reload_interval_the_loaded_certificate_is_kept_without_reading_the_files()
    {
        var first = await certificates.ServerCa.IssueAsync("interval-first", "serverAuth");
        var second = await certificates.ServerCa.IssueAsync("interval-second", "serverAuth");
        var folder = Directory.CreateTempSubdirectory("cascade-tls-interval-").FullName;
        try
        {
            var certificate = Path.Combine(folder, "tls.crt");
            var key = Path.Combine(folder, "tls.key");
            File.Copy(first.CertificateFile, certificate);
            File.Copy(first.KeyFile, key);
            var time = new ManualTime();
            var tls = ServerTls.Create(new TlsOptions { CertificateFile = certificate, KeyFile = key, ReloadInterval = TimeSpan.FromSeconds(10) }, time)!;

            File.Copy(second.CertificateFile, certificate, overwrite: true);
            File.Copy(second.KeyFile, key, overwrite: true);
            time.Advance(TimeSpan.FromSeconds(9));
            tls.Certificate.Certificate.Subject.Should().Be("CN=interval-first");
            time.Advance(TimeSpan.FromSeconds(2));
            tls.Certificate.Certificate.Subject.Should().Be("CN=interval-second");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The subject of the certificate a new TLS connection to the gRPC port is shown.</summary>
    private static async Task<string> ServedSubjectAsync(TlsHost host)
    {
        var address = new Uri(host.Grpc);
        // Bounded: a handshake the server never finishes fails the test here instead of hanging the whole project.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port, timeout.Token);
        X509Certificate? seen = null;
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            seen = certificate;
            return true; // only looking at it
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        }, timeout.Token);
        return seen!.Subject;
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _timestamp;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, by.Ticks);
    }
}
