using Cascade.Host;
using Cascade.Hosting;
using Cascade.Hosting.Tls;
using Cascade.Interop.Tests.Peers;
using Microsoft.AspNetCore.Builder;

namespace Cascade.Interop.Tests;

/// <summary>
/// The all-in-one host over TLS (settings given as an operator gives them, on the command line) and a service host
/// requiring mutual TLS, called by grpc-js: a client we did not write, with its own TLS stack (Node's OpenSSL).
/// </summary>
public sealed class GrpcJsTlsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cascade-grpcjs-tls-").FullName;
    private WebApplication? _tlsHost;
    private WebApplication? _mutualHost;
    private TestCertificateAuthority _serverCa = null!;
    private IssuedCertificate _client = null!;
    private IssuedCertificate _stranger = null!;
    private string _tlsTarget = string.Empty;
    private string _mutualTarget = string.Empty;

    public async Task InitializeAsync()
    {
        _serverCa = await TestCertificateAuthority.CreateAsync(_folder, "server-ca");
        var clientCa = await TestCertificateAuthority.CreateAsync(_folder, "client-ca");
        var strangerCa = await TestCertificateAuthority.CreateAsync(_folder, "stranger-ca");
        var server = await _serverCa.IssueAsync("server", "serverAuth");
        _client = await clientCa.IssueAsync("client", "clientAuth");
        _stranger = await strangerCa.IssueAsync("stranger", "clientAuth");

        var allInOne = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = Path.Combine(_folder, "all-in-one") };
        _tlsHost = AllInOneHost.Build(allInOne, _ => { }, [$"--Cascade:Tls:CertificateFile={server.CertificateFile}", $"--Cascade:Tls:KeyFile={server.KeyFile}"]);
        await _tlsHost.StartAsync();
        _tlsTarget = new Uri(AllInOneHost.GetAddresses(_tlsHost, allInOne).Grpc).Authority;

        var mutual = new ServiceHostOptions
        {
            GrpcPort = 0, HttpPort = 0, DataDirectory = Path.Combine(_folder, "mutual"),
            Tls = new TlsOptions
            {
                CertificateFile = server.CertificateFile, KeyFile = server.KeyFile,
                ClientCertificateMode = TlsClientCertificateMode.Require, ClientCaFile = clientCa.CertificateFile,
            },
        };
        _mutualHost = ServiceHost.Build(mutual, [], (_, _) => { }, _ => { });
        await _mutualHost.StartAsync();
        _mutualTarget = new Uri(ServiceHost.GetAddresses(_mutualHost, mutual.BindAddress).Grpc).Authority;
    }

    [Fact]
    public async Task Grpc_js_that_trusts_the_ca_gets_an_answer_over_tls()
    {
        var result = await NodePeer.RunScriptAsync("tls_client.js", _tlsTarget, _serverCa.CertificateFile);

        result.GetProperty("code").GetInt32().Should().Be(0, result.ToString());
        result.GetProperty("status").GetInt32().Should().Be(1, "1 is SERVING in grpc.health.v1");
    }

    [Fact]
    public async Task Grpc_js_that_trusts_only_the_system_roots_is_refused()
    {
        var result = await NodePeer.RunScriptAsync("tls_client.js", _tlsTarget, "-");

        result.GetProperty("code").GetInt32().Should().Be(14, "UNAVAILABLE: the handshake fails on an untrusted certificate");
    }

    [Fact]
    public async Task Grpc_js_with_a_certificate_of_the_client_ca_passes_mutual_tls()
    {
        var result = await NodePeer.RunScriptAsync("tls_client.js", _mutualTarget, _serverCa.CertificateFile, _client.CertificateFile, _client.KeyFile);

        result.GetProperty("code").GetInt32().Should().Be(0, result.ToString());
    }

    [Fact]
    public async Task Grpc_js_without_a_client_certificate_or_with_a_stranger_one_is_refused_by_mutual_tls()
    {
        var without = await NodePeer.RunScriptAsync("tls_client.js", _mutualTarget, _serverCa.CertificateFile);
        var stranger = await NodePeer.RunScriptAsync("tls_client.js", _mutualTarget, _serverCa.CertificateFile, _stranger.CertificateFile, _stranger.KeyFile);

        without.GetProperty("code").GetInt32().Should().Be(14, without.ToString());
        stranger.GetProperty("code").GetInt32().Should().Be(14, stranger.ToString());
    }

    public async Task DisposeAsync()
    {
        foreach (var host in new[] { _tlsHost, _mutualHost })
        {
            if (host is null) continue;
            await host.StopAsync();
            await host.DisposeAsync();
        }
        Directory.Delete(_folder, recursive: true);
    }
}
