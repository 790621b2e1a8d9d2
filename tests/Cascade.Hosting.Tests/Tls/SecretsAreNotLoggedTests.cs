using Cascade.Contracts;
using Cascade.Hosting.Tls;
using Grpc.Health.V1;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Tests.Tls;

/// <summary>
/// Passwords and keys from settings (or a Kubernetes Secret) never reach the log, nor the message that stops a host
/// whose settings are wrong.
/// </summary>
public sealed class SecretsAreNotLoggedTests(TlsCertificates certificates) : IClassFixture<TlsCertificates>
{
    private const string KeyPassword = "tls-key-password-6d1f";

    private static readonly string[] Secrets =
    [
        KeyPassword, "redis-password-3b9a", "postgres-password-81c2", "rabbitmq-password-0e77", "s3-secret-key-5a4d",
        "kafka-key-password-c3e1", "kafka-sasl-password-9f02",
    ];

    [Fact]
    public async Task A_host_with_every_secret_set_logs_none_of_them_even_at_trace_level()
    {
        var encrypted = await certificates.ServerCa.IssueAsync("secret-server", "serverAuth", password: KeyPassword);
        var folder = Directory.CreateTempSubdirectory("cascade-secrets-").FullName;
        try
        {
            var certificate = Path.Combine(folder, "tls.crt");
            var key = Path.Combine(folder, "tls.key");
            File.Copy(encrypted.CertificateFile, certificate);
            File.Copy(encrypted.KeyFile, key);
            var log = new LogCapture();
            await using (var host = await TlsHost.StartAsync(new TlsOptions { CertificateFile = certificate, KeyFile = key, KeyPassword = KeyPassword, ReloadInterval = TimeSpan.Zero }, log, Arguments()))
            {
                using var channel = ClientTls.Channel(host.Grpc, new TlsOptions { CaFile = certificates.ServerCa.CertificateFile });
                await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));
                // A reload that fails logs why: a key that does not go with the certificate.
                File.Copy(certificates.Client.KeyFile, key, overwrite: true);
                using var again = ClientTls.Channel(host.Grpc, new TlsOptions { CaFile = certificates.ServerCa.CertificateFile });
                await new global::Grpc.Health.V1.Health.HealthClient(again).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));
            }

            log.Text.Should().Contain("TLS on both ports").And.Contain("do not load", "the log was captured, failed reload included");
            foreach (var secret in Secrets) log.Text.Should().NotContain(secret);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_wrong_key_password_stops_the_host_without_showing_the_password()
    {
        var encrypted = await certificates.ServerCa.IssueAsync("wrong-password-server", "serverAuth", password: "the-right-one");

        var start = () => TlsHost.StartAsync(new TlsOptions { CertificateFile = encrypted.CertificateFile, KeyFile = encrypted.KeyFile, KeyPassword = KeyPassword });

        var refusal = (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message;
        refusal.Should().Contain("Cascade:Tls:CertificateFile").And.NotContain(KeyPassword).And.NotContain("the-right-one");
    }

    /// <summary>The infrastructure secrets as an operator sets them (environment or command line), on seams this host does not use.</summary>
    private static string[] Arguments() =>
    [
        $"--Cascade:Infrastructure:Redis:Password={Secrets[1]}",
        $"--Cascade:Infrastructure:PostgresPassword={Secrets[2]}",
        $"--Cascade:Infrastructure:RabbitMq:Password={Secrets[3]}",
        $"--Cascade:Infrastructure:S3:SecretKey={Secrets[4]}",
        $"--Cascade:Infrastructure:Kafka:SslKeyPassword={Secrets[5]}",
        $"--Cascade:Infrastructure:Kafka:SaslPassword={Secrets[6]}",
    ];
}
