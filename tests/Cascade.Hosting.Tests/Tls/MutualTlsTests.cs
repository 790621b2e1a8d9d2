using Cascade.Contracts;
using Cascade.Hosting.Tls;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Hosting.Tests.Tls;

/// <summary>Mutual TLS: a caller proves itself with a certificate signed by the client CA the host was given.</summary>
public sealed class MutualTlsTests(TlsCertificates certificates) : IClassFixture<TlsCertificates>
{
    private TlsOptions Serving(TlsClientCertificateMode mode) => new()
    {
        CertificateFile = certificates.Server.CertificateFile,
        KeyFile = certificates.Server.KeyFile,
        ClientCertificateMode = mode,
        ClientCaFile = certificates.ClientCa.CertificateFile,
    };

    private TlsOptions Caller(IssuedCertificate? certificate) => new()
    {
        CaFile = certificates.ServerCa.CertificateFile,
        ClientCertificateFile = certificate?.CertificateFile ?? string.Empty,
        ClientKeyFile = certificate?.KeyFile ?? string.Empty,
    };

    [Fact]
    public async Task When_required_a_caller_without_a_certificate_is_refused()
    {
        await using var host = await TlsHost.StartAsync(Serving(TlsClientCertificateMode.Require));

        var outcome = await OutcomeOfCallAsync(host, Caller(null));

        outcome.Should().Be(Refused);
    }

    [Fact]
    public async Task When_required_a_caller_with_a_certificate_of_the_client_ca_is_served()
    {
        await using var host = await TlsHost.StartAsync(Serving(TlsClientCertificateMode.Require));

        var outcome = await OutcomeOfCallAsync(host, Caller(certificates.Client));

        outcome.Should().Be(Served);
    }

    [Fact]
    public async Task When_required_a_caller_with_a_certificate_of_another_ca_is_refused()
    {
        await using var host = await TlsHost.StartAsync(Serving(TlsClientCertificateMode.Require));

        var outcome = await OutcomeOfCallAsync(host, Caller(certificates.StrangerClient));

        outcome.Should().Be(Refused);
    }

    [Fact]
    public async Task When_allowed_a_caller_may_come_without_a_certificate_but_not_with_a_wrong_one()
    {
        await using var host = await TlsHost.StartAsync(Serving(TlsClientCertificateMode.Allow));

        (await OutcomeOfCallAsync(host, Caller(null))).Should().Be(Served);
        (await OutcomeOfCallAsync(host, Caller(certificates.Client))).Should().Be(Served);
        (await OutcomeOfCallAsync(host, Caller(certificates.StrangerClient))).Should().Be(Refused);
    }

    [Fact]
    public async Task A_server_certificate_that_does_not_allow_client_authentication_is_not_accepted_as_a_client_one()
    {
        var serverOnly = await certificates.ClientCa.IssueAsync("server-only", "serverAuth");
        await using var host = await TlsHost.StartAsync(Serving(TlsClientCertificateMode.Require));

        var outcome = await OutcomeOfCallAsync(host, Caller(serverOnly));

        outcome.Should().Be(Refused);
    }

    [Fact]
    public async Task A_client_of_the_grpc_client_factory_with_cascade_tls_passes_mutual_tls()
    {
        // How the training workers reach the registry: AddGrpcClient(...).UseCascadeTls(options.Tls).
        await using var host = await TlsHost.StartAsync(Serving(TlsClientCertificateMode.Require));
        var services = new ServiceCollection();
        services.AddGrpcClient<global::Grpc.Health.V1.Health.HealthClient>(o => o.Address = new Uri(host.Grpc)).UseCascadeTls(Caller(certificates.Client));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<global::Grpc.Health.V1.Health.HealthClient>();

        var reply = await client.CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));

        reply.Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);
    }

    [Fact]
    public async Task The_http_port_asks_probes_and_browsers_for_no_certificate_unless_told_to()
    {
        await using var grpcOnly = await TlsHost.StartAsync(Serving(TlsClientCertificateMode.Require));
        var both = Serving(TlsClientCertificateMode.Require);
        both.HttpClientCertificateMode = TlsClientCertificateMode.Require;
        await using var closed = await TlsHost.StartAsync(both);
        using var http = new HttpClient(ClientTls.CreateHandler(Caller(null))) { Timeout = TimeSpan.FromSeconds(30) };

        using var probe = await http.GetAsync(grpcOnly.Http + "/healthz");
        var refused = () => http.GetAsync(closed.Http + "/healthz");

        probe.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, "a kubelet probe has no client certificate");
        await refused.Should().ThrowAsync<HttpRequestException>();
        using var withCertificate = new HttpClient(ClientTls.CreateHandler(Caller(certificates.Client))) { Timeout = TimeSpan.FromSeconds(30) };
        (await withCertificate.GetAsync(closed.Http + "/healthz")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    private const string Served = "served";
    private const string Refused = "refused at the connection";

    /// <summary>
    /// What became of a health check over a fresh channel (so a fresh handshake): served, refused at the connection
    /// (the call never reached the server: Grpc.Net.Client says UNAVAILABLE or, when the TLS alert comes during its
    /// handshake, INTERNAL, both "Error starting gRPC call"), or any other status as such.
    /// </summary>
    private static async Task<string> OutcomeOfCallAsync(TlsHost host, TlsOptions caller)
    {
        using var channel = ClientTls.Channel(host.Grpc, caller);
        try
        {
            await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));
            return Served;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal && ex.Status.Detail.StartsWith("Error starting gRPC call", StringComparison.Ordinal))
        {
            return Refused;
        }
        catch (RpcException ex)
        {
            return $"{ex.StatusCode}: {ex.Status.Detail}";
        }
    }
}
