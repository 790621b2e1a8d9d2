using Cascade.Host;
using Microsoft.AspNetCore.Builder;

namespace Cascade.Cli.Tests.Commands;

/// <summary>The CLI against a host serving TLS with a private CA: <c>--ca</c> makes it trust that CA, nothing else does.</summary>
public sealed class CliTlsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cascade-cli-tls-").FullName;
    private WebApplication _host = null!;
    private TestCertificateAuthority _ca = null!;
    private string _grpc = string.Empty;

    public async Task InitializeAsync()
    {
        _ca = await TestCertificateAuthority.CreateAsync(_folder, "ca");
        var server = await _ca.IssueAsync("server", "serverAuth");
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = Path.Combine(_folder, "data") };
        _host = AllInOneHost.Build(options, _ => { }, [$"--Cascade:Tls:CertificateFile={server.CertificateFile}", $"--Cascade:Tls:KeyFile={server.KeyFile}"]);
        await _host.StartAsync();
        _grpc = AllInOneHost.GetAddresses(_host, options).Grpc;
    }

    [Fact]
    public async Task With_the_ca_the_cli_talks_to_a_tls_host_and_without_it_the_call_fails()
    {
        _grpc.Should().StartWith("https://");

        var trusted = await CascadeProcess.RunAsync("models", "list", "--grpc", _grpc, "--ca", _ca.CertificateFile);
        var untrusted = await CascadeProcess.RunAsync("models", "list", "--grpc", _grpc);

        trusted.ExitCode.Should().Be(0, trusted.ToString());
        untrusted.ExitCode.Should().Be(1, untrusted.ToString());
        untrusted.Error.Should().Contain("SSL", "the error says the handshake failed");
    }

    [Fact]
    public async Task A_ca_file_that_cannot_be_read_is_a_usage_error()
    {
        var result = await CascadeProcess.RunAsync("models", "list", "--grpc", _grpc, "--ca", Path.Combine(_folder, "missing.crt"));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("--ca").And.Contain("missing.crt");
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
