using Cascade.Host;
using FluentAssertions;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Tests.Security;

/// <summary>What a host refuses at start: listening beyond loopback without authentication, unless told it is meant.</summary>
public sealed class StartupRulesTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-startup-").FullName;

    [Fact]
    public void A_host_on_a_public_address_without_authentication_refuses_to_start()
    {
        var build = () => AllInOneHost.Build(new AllInOneHostOptions { BindAddress = "0.0.0.0", GrpcPort = 0, HttpPort = 0, DataDirectory = _data }, _ => { });
        build.Should().Throw<OptionsValidationException>().WithMessage("*0.0.0.0*--auth*--insecure*");
    }

    [Theory]
    [InlineData("--Cascade:Auth:Insecure=true")]
    [InlineData("--Cascade:Auth:Enabled=true")]
    public async Task Insecure_or_authentication_lets_it_start(string setting)
    {
        await using var app = AllInOneHost.Build(new AllInOneHostOptions { BindAddress = "0.0.0.0", GrpcPort = 0, HttpPort = 0, DataDirectory = _data }, _ => { }, [setting]);
        app.Should().NotBeNull();
    }

    [Fact]
    public void A_jwt_issuer_without_signing_keys_is_a_configuration_error()
    {
        var build = () => AllInOneHost.Build(new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data }, _ => { }, ["--Cascade:Auth:Enabled=true", "--Cascade:Auth:Jwt:Issuer=https://idp"]);
        build.Should().Throw<OptionsValidationException>().WithMessage("*JwksUrl*JwksFile*");
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}

/// <summary>REST bodies are held to the gRPC message limit (4 MiB by default), as gRPC messages are.</summary>
public sealed class RestBodyLimitTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Theory]
    [InlineData("/v2/models/churn/infer")]
    [InlineData("/v1/models")]
    public async Task A_rest_body_over_the_message_limit_is_refused_with_413(string path)
    {
        var body = "{\"padding\":\"" + new string('x', 5 * 1024 * 1024) + "\"}";
        using var response = await host.Http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        ((int)response.StatusCode).Should().Be(413);
    }
}
