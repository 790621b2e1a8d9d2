using System.Net;
using System.Security.Authentication;
using Cascade.Contracts;
using Cascade.Hosting.Tls;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Cascade.Hosting.Tests.Tls;

/// <summary>Both ports over TLS from PEM files: served to a client that trusts the CA, refused by one that does not.</summary>
public sealed class TlsEndpointTests(TlsCertificates certificates) : IClassFixture<TlsCertificates>
{
    private TlsOptions Served() => new() { CertificateFile = certificates.Server.CertificateFile, KeyFile = certificates.Server.KeyFile };

    private TlsOptions Trusting(TestCertificateAuthority authority) => new() { CaFile = authority.CertificateFile };

    [Fact]
    public async Task Grpc_over_tls_is_served_to_a_client_that_trusts_the_ca()
    {
        await using var host = await TlsHost.StartAsync(Served());

        host.Grpc.Should().StartWith("https://", "Kestrel reports a TLS endpoint");
        using var channel = ClientTls.Channel(host.Grpc, Trusting(certificates.ServerCa));
        var reply = await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));
        reply.Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task The_http_port_serves_http_1_1_and_http_2_over_tls(string version)
    {
        await using var host = await TlsHost.StartAsync(Served());
        using var http = new HttpClient(ClientTls.CreateHandler(Trusting(certificates.ServerCa))) { Timeout = TimeSpan.FromSeconds(30) };

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, host.Http + "/healthz")
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        host.Http.Should().StartWith("https://");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Version.Should().Be(Version.Parse(version), "ALPN lets the client pick");
    }

    [Fact]
    public async Task A_client_that_trusts_only_the_system_roots_is_refused_in_the_handshake()
    {
        await using var host = await TlsHost.StartAsync(Served());
        using var channel = GrpcChannel.ForAddress(host.Grpc);

        var call = () => new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30))).ResponseAsync;

        // Grpc.Net.Client reports a failed handshake as INTERNAL ("Error starting gRPC call"), with the reason inside.
        var refusal = (await call.Should().ThrowAsync<RpcException>()).Which;
        Causes(refusal).OfType<AuthenticationException>().Should().NotBeEmpty("the handshake failed on the server's certificate: {0}", refusal.Status.Detail);
    }

    [Fact]
    public async Task A_client_that_trusts_another_ca_is_refused_in_the_handshake()
    {
        await using var host = await TlsHost.StartAsync(Served());
        using var channel = ClientTls.Channel(host.Grpc, Trusting(certificates.StrangerCa));

        var call = () => new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30))).ResponseAsync;

        // Grpc.Net.Client reports a failed handshake as INTERNAL ("Error starting gRPC call"), with the reason inside.
        var refusal = (await call.Should().ThrowAsync<RpcException>()).Which;
        Causes(refusal).OfType<AuthenticationException>().Should().NotBeEmpty("the handshake failed on the server's certificate: {0}", refusal.Status.Detail);
    }

    [Fact]
    public async Task An_encrypted_key_is_read_with_its_password()
    {
        var encrypted = await certificates.ServerCa.IssueAsync("encrypted-server", "serverAuth", password: "key-secret");
        await using var host = await TlsHost.StartAsync(new TlsOptions { CertificateFile = encrypted.CertificateFile, KeyFile = encrypted.KeyFile, KeyPassword = "key-secret" });
        using var channel = ClientTls.Channel(host.Grpc, Trusting(certificates.ServerCa));

        var reply = await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));

        reply.Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);
    }

    [Fact]
    public async Task Without_a_certificate_both_ports_stay_cleartext()
    {
        await using var host = await TlsHost.StartAsync(new TlsOptions());
        using var channel = GrpcChannel.ForAddress(host.Grpc);

        var reply = await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));

        host.Grpc.Should().StartWith("http://");
        host.Http.Should().StartWith("http://");
        reply.Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);
    }

    internal static IEnumerable<Exception> Causes(Exception error)
    {
        var pending = new Stack<Exception>([error]);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            yield return next;
            if (next is RpcException { Status.DebugException: { } debug }) pending.Push(debug);
            if (next is AggregateException aggregate) foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            else if (next.InnerException is { } cause) pending.Push(cause);
        }
    }
}
